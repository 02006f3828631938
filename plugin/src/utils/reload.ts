/** Reloads the page: Grafana hands plugin settings to the plugin only when it loads. */
export function reloadPage(): void {
  window.location.reload();
}
