import { Counter, type Registry } from 'prom-client';
import { severityLabel, type AlertRecordInput } from './alert';

export interface AlertMetrics {
  /** Counts an alert recorded for the first time (redeliveries are not counted). */
  recorded(input: Pick<AlertRecordInput, 'status' | 'severity'>): void;
}

/** soar_alerts_received_total{status,severity}: status is firing|resolved, severity one of a fixed set or `other`. */
export function registerAlertMetrics(registry: Registry): AlertMetrics {
  const received = new Counter({
    name: 'soar_alerts_received_total',
    help:
      'Alerts received from Alertmanager and recorded (once per fingerprint, start and status: redeliveries ' +
      'are not counted), by status and severity label (critical, warning, info, none, other)',
    labelNames: ['status', 'severity'],
    registers: [registry],
  });
  return {
    recorded: (input) => received.inc({ status: input.status, severity: severityLabel(input.severity) }),
  };
}
