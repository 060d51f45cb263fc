import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../config.ts';
import { configuredChannels } from './channels.ts';
import { absoluteLink } from './channel.ts';
import { channelPlan } from './routing.ts';

const KEY = 'harbour-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0';
const TEMPLATE = 'f33517ff-2a88-4f6e-b855-c550268ce08a';

test('nothing configured: the demo sends to the inbox only, with links to localhost', () => {
  const config = loadConfig({});
  assert.deepEqual(config.notifications, {
    publicBaseUrl: 'http://localhost:3000',
    notify: null,
    smtp: null,
    vapidSubject: null,
    externalFailureEscalateSeconds: 60,
  });
  assert.deepEqual(config.monitoring, { engineLagLimitSeconds: 30, metricsToken: null });
  assert.deepEqual(configuredChannels(config), { sms: false, email: false, push: false });
  assert.deepEqual(channelPlan(configuredChannels(config)), { channel: 'inbox', fallbacks: [] });
});

test('Notify SMS, SMTP email and Web Push configured: SMS first, then push, email, inbox', () => {
  const config = loadConfig({
    NOTIFY_API_KEY: KEY,
    NOTIFY_SMS_TEMPLATE_ID: TEMPLATE,
    SMTP_URL: 'smtps://user:pass@smtp.council.example:465',
    SMTP_FROM: 'Harbour <harbour@council.example>',
    PUBLIC_BASE_URL: 'https://harbour.council.example/',
    VAPID_SUBJECT: 'mailto:safety@council.example',
  });
  assert.equal(config.notifications.publicBaseUrl, 'https://harbour.council.example');
  assert.deepEqual(
    config.notifications.notify,
    { apiKey: KEY, baseUrl: null, smsTemplateId: TEMPLATE, emailTemplateId: null, ratePerMinute: 3000 },
    "Notify's own limit kept by default",
  );
  assert.equal(
    loadConfig({ NOTIFY_API_KEY: KEY, NOTIFY_SMS_TEMPLATE_ID: TEMPLATE, NOTIFY_RATE_LIMIT_PER_MINUTE: '0' })
      .notifications.notify?.ratePerMinute,
    null,
    '0: no limit kept',
  );
  assert.deepEqual(configuredChannels(config), { sms: true, email: true, push: true });
  assert.deepEqual(channelPlan(configuredChannels(config)), { channel: 'sms', fallbacks: ['push', 'email', 'inbox'] });
});

test('Notify email alone switches email on', () => {
  const config = loadConfig({
    NOTIFY_API_KEY: KEY,
    NOTIFY_EMAIL_TEMPLATE_ID: TEMPLATE,
    NOTIFY_BASE_URL: 'http://127.0.0.1:9999/',
  });
  assert.equal(config.notifications.notify?.baseUrl, 'http://127.0.0.1:9999');
  assert.deepEqual(configuredChannels(config), { sms: false, email: true, push: false });
});

test('a half-configured provider stops the start with a clear message', () => {
  const refused: Record<string, string>[] = [
    { NOTIFY_API_KEY: 'not-a-key' },
    { NOTIFY_API_KEY: KEY },
    { NOTIFY_SMS_TEMPLATE_ID: TEMPLATE },
    { NOTIFY_API_KEY: KEY, NOTIFY_SMS_TEMPLATE_ID: 'not-a-uuid' },
    { SMTP_URL: 'smtp://mail.example' },
    { SMTP_URL: 'http://mail.example', SMTP_FROM: 'a@b.c' },
    { SMTP_FROM: 'Harbour <h@example.org>' },
    { VAPID_SUBJECT: 'http://insecure.example' },
    { PUBLIC_BASE_URL: 'ftp://harbour.example' },
  ];
  for (const env of refused) assert.throws(() => loadConfig(env), ConfigError, JSON.stringify(env));
  assert.throws(() => loadConfig({ SMTP_URL: 'smtp://mail.example' }), /SMTP_FROM: set the From address/);
});

test('links in messages are made absolute', () => {
  assert.equal(absoluteLink('https://h.example', '/alerts/12'), 'https://h.example/alerts/12');
  assert.equal(absoluteLink('https://h.example', 'alerts/12'), 'https://h.example/alerts/12');
  assert.equal(absoluteLink('https://h.example', 'https://other.example/alerts/1'), 'https://other.example/alerts/1');
  assert.equal(absoluteLink('https://h.example', null), null);
});

test('monitoring and the operations contact: lag limit, metrics token, early escalation, who is told', () => {
  const config = loadConfig({
    ENGINE_LAG_LIMIT_SECONDS: '45',
    METRICS_TOKEN: 'a-long-enough-metrics-token',
    ALERT_EXTERNAL_FAILURE_ESCALATE_SECONDS: '90',
    OPS_ALERT_EMAIL: 'ops@council.example',
    OPS_ALERT_SMS: '07700 900 999',
  });
  assert.deepEqual(config.monitoring, { engineLagLimitSeconds: 45, metricsToken: 'a-long-enough-metrics-token' });
  assert.equal(config.notifications.externalFailureEscalateSeconds, 90);
  assert.deepEqual(config.notifications.opsAlert, { email: 'ops@council.example', sms: '07700 900 999' });
  assert.throws(() => loadConfig({ METRICS_TOKEN: 'short' }), /METRICS_TOKEN/);
  assert.throws(() => loadConfig({ ENGINE_LAG_LIMIT_SECONDS: '0' }), /ENGINE_LAG_LIMIT_SECONDS/);
});
