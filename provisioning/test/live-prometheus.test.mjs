// Every PromQL expression of every dashboard panel and every alert rule, run by a real Prometheus that scrapes the
// real backend and a real Alertmanager while the demo drives traffic and attacks at the backend. Each must parse;
// each must return series, except those reading metrics listed in ABSENT (exporters and services that do not run
// here), each with its reason. Alertmanager delivers to the backend's webhook and fails to reach Slack, so that
// NotificationDeliveryFailing is seen telling them apart. Skipped only when the prometheus binary is not installed
// (Debian package prometheus; CI installs it); the Alertmanager part only when prometheus-alertmanager is not.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { collectQueries, interpolate, listQueries } from '@cartae/secops-dashboards/queries';
import { alertRules } from './helpers.mjs';
import { ALERTMANAGER, sendAlert, startAlertmanager } from './live-alertmanager.mjs';
import { absentMetrics, alertValue } from './live-queries.mjs';
import {
  backendEnv,
  freePort,
  installed,
  makeTokens,
  postgresSchema,
  prometheusApi,
  runDemo,
  startBackend,
  startPrometheus,
  waitFor,
  writePrometheusConfig,
} from './live-stack.mjs';
import { promqlErrors, selectedMetrics } from './promql.mjs';

const JOB = 'cartae-secops';
const SCRAPE_SECONDS = 1;
const DEMO_SECONDS = 20;
const hasPrometheus = installed('prometheus');
const hasAlertmanager = installed(ALERTMANAGER);
const noAlertmanager = hasAlertmanager
  ? false
  : `${ALERTMANAGER} is not installed (apt-get install prometheus-alertmanager; CI installs it)`;

const ABSENT = absentMetrics({ hasAlertmanager });

/** What the test sends to Alertmanager: routed to the backend's webhook and to the unreachable Slack. */
const ALERT = {
  labels: { alertname: 'LiveNotificationCheck', severity: 'warning', category: 'secops', job: JOB },
  annotations: {
    summary: 'Notification check of the live test',
    description: 'Sent to Alertmanager by the live test: to the backend’s webhook and to an unreachable Slack.',
  },
};
const SLACK_FAILURES = 'sum(alertmanager_notifications_failed_total{job="alertmanager", integration="slack"}) > 0';

const absentIn = (expr) => selectedMetrics(expr).filter((metric) => metric in ABSENT);

const dashboardQueries = listQueries({ job: JOB });
const variableQueries = collectQueries().filter((q) => q.variable !== undefined);
const rules = alertRules();

describe(
  'dashboards and alert rules on a real Prometheus scraping the backend under demo traffic',
  { skip: hasPrometheus ? false : 'prometheus is not installed (apt-get install prometheus; CI installs it)' },
  () => {
    const tokens = makeTokens();
    const dir = mkdtempSync(path.join(tmpdir(), 'cartae-live-'));
    let backend;
    let alertmanager;
    let prometheus;
    let schema;
    let demoOutput = '';
    const query = (expr) => prometheusApi(prometheus.url, 'query', { query: expr });

    before(async () => {
      schema = await postgresSchema(process.env.TEST_DATABASE_URL);
      backend = await startBackend(
        backendEnv({
          dir,
          tokens,
          database: schema && { url: process.env.TEST_DATABASE_URL, schema: schema.schema },
          // Fail2ban is not installed on the host the backend runs on: the backend reports it (fail2ban_up 0).
          fail2banClient: path.join(dir, 'no-fail2ban-client'),
        })
      );
      if (hasAlertmanager) {
        alertmanager = await startAlertmanager({ dir, backendUrl: backend.url, ingestToken: tokens.ingest });
      }
      const prometheusPort = await freePort();
      const configFile = writePrometheusConfig({
        dir,
        backendUrl: backend.url,
        prometheusPort,
        alertmanagerPort: alertmanager && Number(new URL(alertmanager.url).port),
        metricsToken: tokens.metrics,
        intervalSeconds: SCRAPE_SECONDS,
      });
      prometheus = await startPrometheus({ dir, configFile, port: prometheusPort });
      await waitFor(
        'Prometheus to scrape the backend with its token',
        async () => (await query(`up{job="${JOB}"} == 1`)).result.length === 1,
        30_000
      );
      // An alert for Alertmanager to notify while the demo runs: it retries the unreachable Slack for 10 s before
      // counting the notification as failed.
      if (alertmanager) {
        // Once Prometheus has a sample of Alertmanager's counters at 0: increase() sees the notifications that follow.
        await waitFor(
          'Prometheus to scrape Alertmanager',
          async () => (await query('up{job="alertmanager"} == 1')).result.length === 1,
          30_000
        );
        await sendAlert(alertmanager.url, ALERT);
      }

      demoOutput = await runDemo({ backendUrl: backend.url, tokens, seconds: DEMO_SECONDS });
      // The Bans page, polled while Fail2ban is unreachable: the backend answers 503, a real 5xx for the error
      // panels. Twice, a scrape apart: rate() and increase() see a counter only once it has changed between samples.
      const bansPage = async () => {
        const res = await fetch(`${backend.url}/api/fail2ban/status`, {
          headers: { authorization: `Bearer ${tokens.viewer}` },
        });
        assert.equal(res.status, 503, await res.text());
      };
      await bansPage();
      await waitFor(
        'the 503 to be scraped',
        async () => (await query(`http_requests_total{job="${JOB}", status="503"}`)).result.length > 0,
        30_000
      );
      await bansPage();
      // An SRE verifying the audit trail: the integrity gauges appear after the first verification.
      const verify = await fetch(`${backend.url}/api/audit/verify`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.admin}` },
      });
      assert.equal(verify.status, 200, await verify.text());
      const done = Date.now() / 1000;
      await waitFor(
        'a scrape after the demo and the verification',
        async () => {
          const { result } = await query(`timestamp(audit_log_last_verify_timestamp_seconds{job="${JOB}"})`);
          return result.length === 1 && Number(result[0].value[1]) > done;
        },
        30_000
      );
      if (alertmanager) {
        await waitFor(
          'Alertmanager’s failed Slack notification to be scraped',
          async () => (await query(SLACK_FAILURES)).result.length > 0,
          30_000
        );
      }
    });

    after(async () => {
      await prometheus?.stop();
      await alertmanager?.stop();
      await backend?.stop();
      await schema?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('the demo ran every scenario, and the auto-blocker banned its attackers', () => {
      assert.match(demoOutput, /^flood\s+\d+\s+\d+\s+\d+\s+\d+\s+[1-9]\d*/m, demoOutput);
      for (const scenario of ['brute-force', 'admin-probe', 'port-scan', 'fail2ban']) {
        assert.match(demoOutput, new RegExp(`^${scenario}\\s+(\\d+\\s+){8}[1-9]\\d*$`, 'm'), demoOutput);
      }
      assert.match(demoOutput, /banned by the auto-blocker: /);
    });

    test('Prometheus loaded every rule file and evaluates every alert without error', async () => {
      const { groups } = await prometheusApi(prometheus.url, 'rules', { type: 'alert' });
      const loaded = groups.flatMap((g) => g.rules);
      assert.deepEqual(loaded.map((r) => r.name).sort(), rules.map((r) => r.alert).sort());
      for (const rule of loaded) {
        assert.equal(rule.health, 'ok', `${rule.name}: ${rule.lastError ?? rule.health}`);
      }
    });

    test('Prometheus sends its alerts to the Alertmanager it scrapes', { skip: noAlertmanager }, async () => {
      const { activeAlertmanagers } = await prometheusApi(prometheus.url, 'alertmanagers');
      assert.deepEqual(
        activeAlertmanagers.map((am) => am.url),
        [`${alertmanager.url}/api/v2/alerts`]
      );
      const { result } = await query('up{job="alertmanager"}');
      assert.deepEqual(
        result.map((r) => r.value[1]),
        ['1']
      );
    });

    test(
      'Alertmanager delivers to the backend’s webhook, fails to reach Slack, and NotificationDeliveryFailing tells them apart',
      { skip: noAlertmanager },
      async () => {
        // The backend recorded the alert Alertmanager delivered to it, in its audit trail (the demo posts
        // notifications of its own to the same route: this one is told apart by its name and receiver).
        const url = new URL('/api/audit/events', backend.url);
        url.search = new URLSearchParams({ action: 'alertmanager.alert.firing', limit: '500' }).toString();
        const res = await fetch(url, { headers: { authorization: `Bearer ${tokens.viewer}` } });
        assert.equal(res.status, 200, await res.clone().text());
        const { events } = await res.json();
        const delivered = events.filter((e) => e.metadata?.alertname === ALERT.labels.alertname);
        assert.deepEqual(
          delivered.map((e) => [e.metadata.receiver, e.metadata.annotations.summary]),
          [['cartae-secops', ALERT.annotations.summary]]
        );
        const rule = rules.find((r) => r.alert === 'NotificationDeliveryFailing');
        const ratios = Object.fromEntries(
          (await query(alertValue(rule.expr))).result.map((r) => [r.metric.integration, Number(r.value[1])])
        );
        assert.equal(ratios.webhook, 0, JSON.stringify(ratios));
        assert.ok(ratios.slack > 0.2 && ratios.slack <= 1, JSON.stringify(ratios));
        // Prometheus evaluates the rule: pending (its `for` is 10 minutes) for Slack, and for Slack only.
        const pending = await waitFor(
          'NotificationDeliveryFailing to be pending',
          async () => {
            const { alerts } = await prometheusApi(prometheus.url, 'alerts');
            const own = alerts.filter((a) => a.labels.alertname === rule.alert);
            return own.length > 0 && own;
          },
          10_000
        );
        assert.deepEqual(
          pending.map((a) => [a.labels.integration, a.labels.job, a.labels.severity, a.state]),
          [['slack', 'alertmanager', 'critical', 'pending']]
        );
      }
    );

    test('the dashboards’ variables resolve as Grafana would resolve them', async () => {
      assert.ok(variableQueries.length > 0);
      for (const { file, variable, expr, label, dashboard } of variableQueries) {
        const match = interpolate(expr, dashboard, { job: JOB });
        const values = await prometheusApi(prometheus.url, `label/${label}/values`, { 'match[]': match });
        if (absentIn(match).length > 0) continue;
        assert.ok(values.length > 0, `${file} $${variable}: label_values(${expr}, ${label}) has no value`);
        if (variable === 'job') assert.deepEqual(values, [JOB]);
      }
    });

    test('the list of absent metrics is exact: each is read somewhere and has no series here', async () => {
      const read = new Set([
        ...dashboardQueries.flatMap((q) => q.metrics),
        ...variableQueries.flatMap((q) => selectedMetrics(q.expr.replaceAll('$job', JOB))),
        ...rules.flatMap((rule) => selectedMetrics(rule.expr)),
      ]);
      for (const metric of Object.keys(ABSENT)) {
        assert.ok(read.has(metric), `${metric} is listed as absent but no panel or rule reads it`);
        const { result } = await query(`count({__name__="${metric}"})`);
        assert.deepEqual(result, [], `${metric} has series now: remove it from ABSENT`);
      }
    });

    describe('every dashboard panel query', () => {
      for (const q of dashboardQueries) {
        const absent = absentIn(q.expr);
        const name = `${q.dashboard} / ${q.panel} (${q.refId})${absent.length > 0 ? `: parses (needs ${[...new Set(absent.map((m) => ABSENT[m]))].join(', ')})` : ''}`;
        test(name, async () => {
          assert.deepEqual(promqlErrors(q.expr), [], q.expr);
          const { result } = await query(q.expr);
          if (absent.length === 0) assert.ok(result.length > 0, `no series for ${q.expr}`);
        });
      }
    });

    describe('every alert rule', () => {
      for (const rule of rules) {
        const value = alertValue(rule.expr);
        const absent = absentIn(rule.expr);
        const name = `${rule.alert}${absent.length > 0 ? `: parses (needs ${[...new Set(absent.map((m) => ABSENT[m]))].join(', ')})` : ''}`;
        test(name, async () => {
          await query(rule.expr);
          const { result } = await query(value);
          if (absent.length === 0) assert.ok(result.length > 0, `no series for the value of ${rule.alert}: ${value}`);
        });
      }
    });
  }
);
