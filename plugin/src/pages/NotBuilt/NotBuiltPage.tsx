import React from 'react';
import { PluginPage } from '@grafana/runtime';
import { EmptyState, LinkButton } from '@grafana/ui';
import { PLUGIN_BASE_URL, ROUTES } from '../../constants';

/** A nav page whose content is not built yet (issue 5): says so instead of showing half a page. */
export default function NotBuiltPage({ title }: { title: string }) {
  return (
    <PluginPage>
      <EmptyState
        variant="not-found"
        message={`The ${title} page is not available yet`}
        button={
          <LinkButton href={`${PLUGIN_BASE_URL}/${ROUTES.Audit}`} icon="history">
            Open the audit log
          </LinkButton>
        }
      />
    </PluginPage>
  );
}
