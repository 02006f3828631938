import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';
import {
  filterErrors,
  filtersFromSearch,
  filtersToSearch,
  hasFilters,
  toApiFilter,
  type FilterValues,
} from '../../utils/auditFilter';

/** The audit log state kept in the URL: the filters and the entry whose details are open. */
export function useAuditFilterParams() {
  const [params, setParams] = useSearchParams();
  const values = useMemo(() => filtersFromSearch(params), [params]);
  const errors = useMemo(() => filterErrors(values), [values]);
  // Relative times (now-24h) are resolved when the filters change, so paging keeps one window.
  const filter = useMemo(() => toApiFilter(values), [values]);
  const entryId = params.get('entry') ?? undefined;

  const setFilters = useCallback(
    (next: FilterValues) => setParams((current) => filtersToSearch(next, current)),
    [setParams]
  );
  const openEntry = useCallback(
    (id: string | undefined) =>
      setParams((current) => {
        const next = new URLSearchParams(current);
        if (id) {
          next.set('entry', id);
        } else {
          next.delete('entry');
        }
        return next;
      }),
    [setParams]
  );

  return {
    values,
    errors,
    filter,
    isValid: Object.keys(errors).length === 0,
    isFiltered: hasFilters(values),
    entryId,
    setFilters,
    openEntry,
  };
}
