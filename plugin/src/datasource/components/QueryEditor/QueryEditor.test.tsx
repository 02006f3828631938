import React, { useState } from 'react';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createDataSource } from '../../test/fixtures';
import { QueryType, type SecopsQuery } from '../../types';
import { QueryEditor } from './QueryEditor';

/** A query row as Grafana's panel editor drives it: the query is state, run after a committed change. */
function renderEditor(initial: SecopsQuery) {
  const changes: SecopsQuery[] = [];
  const onRunQuery = jest.fn();
  function Row() {
    const [query, setQuery] = useState(initial);
    return (
      <QueryEditor
        datasource={createDataSource()}
        query={query}
        onRunQuery={onRunQuery}
        onChange={(next) => {
          changes.push(next);
          setQuery(next);
        }}
      />
    );
  }
  render(<Row />);
  return { changes, onRunQuery, last: () => changes[changes.length - 1] };
}

test('events: filters are typed, then the query runs when the field is left', async () => {
  const user = userEvent.setup();
  const { onRunQuery, last } = renderEditor({ refId: 'A', queryType: QueryType.Events });
  expect(screen.getByRole('radio', { name: 'Events' })).toBeChecked();

  await user.type(screen.getByLabelText('Event type'), 'auth.login.failed');
  expect(onRunQuery).not.toHaveBeenCalled();
  await user.type(screen.getByLabelText('IP or CIDR'), '$ip');
  expect(onRunQuery).toHaveBeenCalledTimes(1);
  await user.tab();
  expect(onRunQuery).toHaveBeenCalledTimes(2);

  await user.click(screen.getByRole('radio', { name: 'high' }));
  await user.clear(screen.getByLabelText('Limit'));
  await user.type(screen.getByLabelText('Limit'), '250');
  expect(last()).toEqual({
    refId: 'A',
    queryType: QueryType.Events,
    eventType: 'auth.login.failed',
    ip: '$ip',
    severity: 'high',
    limit: 250,
  });
});

test('switching the query type runs it and shows only its own options', async () => {
  const user = userEvent.setup();
  const { onRunQuery, last } = renderEditor({ refId: 'A', queryType: QueryType.Events });

  await user.click(screen.getByRole('radio', { name: 'Event counts' }));
  expect(last().queryType).toBe(QueryType.EventCounts);
  expect(onRunQuery).toHaveBeenCalledTimes(1);
  expect(screen.getByLabelText('Event types')).toBeInTheDocument();
  expect(screen.queryByLabelText('User')).not.toBeInTheDocument();

  await user.click(screen.getByRole('radio', { name: 'Active bans' }));
  expect(screen.getByLabelText('IP or CIDR')).toBeInTheDocument();
  expect(screen.getByLabelText('Limit')).toBeInTheDocument();
  expect(screen.queryByLabelText('Event types')).not.toBeInTheDocument();

  await user.click(screen.getByRole('radio', { name: 'Audit stats' }));
  expect(screen.getByRole('radio', { name: 'Day' })).toBeChecked();
  await user.click(screen.getByRole('radio', { name: 'Resource' }));
  expect(last()).toMatchObject({ queryType: QueryType.AuditStats, groupBy: 'resource' });
  expect(onRunQuery).toHaveBeenCalledTimes(4);
});
