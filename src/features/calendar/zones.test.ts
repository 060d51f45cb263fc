import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IANAZone } from 'luxon';
import { ianaZoneFor, WINDOWS_ZONES } from './zones.ts';

test('every Windows name in the table maps to a zone this runtime knows', () => {
  const unknown = Object.entries(WINDOWS_ZONES).filter(([, iana]) => !IANAZone.isValidZone(iana));
  assert.deepEqual(unknown, []);
});

test('the Windows names Outlook writes for the UK and Europe', () => {
  assert.equal(ianaZoneFor('GMT Standard Time'), 'Europe/London');
  assert.equal(ianaZoneFor('W. Europe Standard Time'), 'Europe/Berlin');
  assert.equal(ianaZoneFor('Romance Standard Time'), 'Europe/Paris');
  assert.equal(
    ianaZoneFor('Greenwich Standard Time'),
    'Atlantic/Reykjavik',
    'Monrovia, Reykjavik: GMT all year, no summer time',
  );
  assert.equal(ianaZoneFor('Eastern Standard Time'), 'America/New_York');
});

test('quoted, differently cased and numbered Windows names', () => {
  assert.equal(ianaZoneFor('"GMT Standard Time"'), 'Europe/London');
  assert.equal(ianaZoneFor('gmt standard time'), 'Europe/London');
  assert.equal(ianaZoneFor('GMT Standard Time 1'), 'Europe/London');
  assert.equal(ianaZoneFor('  GMT Standard Time  '), 'Europe/London');
});

test('display names written by older Outlook and Exchange', () => {
  assert.equal(ianaZoneFor('(UTC+00:00) Dublin, Edinburgh, Lisbon, London'), 'Europe/London');
  assert.equal(ianaZoneFor('(GMT) Greenwich Mean Time : Dublin, Edinburgh, Lisbon, London'), 'Europe/London');
  assert.equal(ianaZoneFor('(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna'), 'Europe/Berlin');
});

test('IANA names, with any casing or a vendor prefix, come back canonical', () => {
  assert.equal(ianaZoneFor('Europe/London'), 'Europe/London');
  assert.equal(ianaZoneFor('europe/london'), 'Europe/London');
  assert.equal(ianaZoneFor('/mozilla.org/20050126_1/Europe/London'), 'Europe/London');
  assert.equal(ianaZoneFor('/Europe/London'), 'Europe/London');
  assert.equal(ianaZoneFor('America/Argentina/Buenos_Aires'), 'America/Buenos_Aires');
});

test('unknown or empty names are not guessed', () => {
  assert.equal(ianaZoneFor('Customized Time Zone'), null);
  assert.equal(ianaZoneFor('Mars Standard Time'), null);
  assert.equal(ianaZoneFor(''), null);
  assert.equal(ianaZoneFor(null), null);
});
