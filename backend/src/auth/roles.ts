/** Roles a bearer token can carry. */
export const Role = { viewer: 'viewer', admin: 'admin', ingest: 'ingest' } as const;
export type Role = (typeof Role)[keyof typeof Role];
export const ROLES: readonly Role[] = Object.values(Role);

/**
 * What a route requires. `viewer`: reads; `ingest`: submitting events; `admin`: everything;
 * `metrics`: the Prometheus scrape (open unless METRICS_TOKEN is set); `public`: no token.
 */
export const Access = {
  public: 'public',
  metrics: 'metrics',
  viewer: 'viewer',
  ingest: 'ingest',
  admin: 'admin',
} as const;
export type Access = (typeof Access)[keyof typeof Access];

/** Admin may do everything; viewer only reads; ingest only submits events. */
export function roleAllows(role: Role, access: Access): boolean {
  switch (access) {
    case Access.public:
      return true;
    case Access.metrics:
      return role === Role.admin || role === Role.viewer;
    case Access.viewer:
      return role === Role.viewer || role === Role.admin;
    case Access.ingest:
      return role === Role.ingest || role === Role.admin;
    case Access.admin:
      return role === Role.admin;
  }
}
