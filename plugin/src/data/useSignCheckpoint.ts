import { useMutation, useQueryClient } from '@tanstack/react-query';
import { signCheckpoint } from '../api/audit';
import { queryKeys } from './queryKeys';

/** Admin: sign the current tree head; entry verifications are redone against it. */
export function useSignCheckpoint() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: signCheckpoint,
    meta: { successMessage: 'Checkpoint signed', errorMessage: 'Could not sign a checkpoint' },
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.audit.all }),
  });
}
