/** .env.example and the README stay in step with the settings the gateway reads. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SETTING_NAMES, loadConfig } from '../../src/config';

const ROOT = join(__dirname, '..', '..');
const example = readFileSync(join(ROOT, '.env.example'), 'utf8');

describe('.env.example', () => {
  it('documents every setting', () => {
    expect(SETTING_NAMES.filter((name) => !new RegExp(`^(# )?${name}=`, 'm').test(example))).toEqual([]);
  });

  it('shows each active setting with its real default, so copying it changes nothing', () => {
    const active = Object.fromEntries(
      example
        .split('\n')
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    expect(Object.keys(active).length).toBeGreaterThan(20);
    const secret = () => 'same-secret';
    expect(loadConfig(active, secret)).toEqual(loadConfig({}, secret));
  });
});

describe('README configuration table', () => {
  it('names every setting', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(SETTING_NAMES.filter((name) => !readme.includes(`\`${name}\``))).toEqual([]);
  });
});
