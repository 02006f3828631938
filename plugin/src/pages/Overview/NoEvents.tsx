import React from 'react';
import { EmptyState } from '@grafana/ui';

/** The empty state of every event panel: what sends events here, so that a person knows what to set up. */
export function NoEvents({ message }: { message: string }) {
  return (
    <EmptyState variant="call-to-action" message={message} hideImage>
      Applications send security events with POST /api/security/events and the ingest token; the backend also reads the
      JSON-lines log files listed under ingest.files in its configuration file.
    </EmptyState>
  );
}
