import React, { lazy, Suspense, useState } from 'react';
import { Navigate, Route, Routes } from 'react-router-dom';
import { QueryClientProvider } from '@tanstack/react-query';
import type { AppRootProps } from '@grafana/data';
import { LoadingPlaceholder } from '@grafana/ui';
import { ROUTES } from '../../constants';
import { createQueryClient } from '../../data/queryClient';

const AuditLogPage = lazy(() => import('../../pages/AuditLog/AuditLogPage'));
const BansPage = lazy(() => import('../../pages/Bans/BansPage'));
const OverviewPage = lazy(() => import('../../pages/Overview/OverviewPage'));

// Default export: the lazy target of module.tsx.
export default function App(_props: AppRootProps) {
  const [queryClient] = useState(createQueryClient);
  return (
    <QueryClientProvider client={queryClient}>
      <Suspense fallback={<LoadingPlaceholder text="Loading…" />}>
        <Routes>
          <Route path={ROUTES.Audit} element={<AuditLogPage />} />
          <Route path={ROUTES.Overview} element={<OverviewPage />} />
          <Route path={ROUTES.Bans} element={<BansPage />} />
          <Route path="*" element={<Navigate to={ROUTES.Audit} replace />} />
        </Routes>
      </Suspense>
    </QueryClientProvider>
  );
}
