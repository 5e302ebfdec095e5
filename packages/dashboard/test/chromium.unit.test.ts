import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findChromium } from './chromium.js';

const dir = mkdtempSync(join(tmpdir(), 'eddy-chromium-find-'));
const fake = join(dir, 'chrome');
writeFileSync(fake, '');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const refuse = [
  () => {
    throw new Error('must not install');
  },
];

describe('finding Chromium for the browser tests', () => {
  it('takes EDDY_CHROMIUM, then the first system browser that exists', () => {
    expect(findChromium({ env: { EDDY_CHROMIUM: fake }, candidates: [], installers: refuse })).toBe(fake);
    expect(findChromium({ env: {}, candidates: [join(dir, 'missing'), fake], installers: refuse })).toBe(
      fake,
    );
    expect(() => findChromium({ env: { EDDY_CHROMIUM: join(dir, 'nope') } })).toThrow(
      /EDDY_CHROMIUM points at .*nope, which does not exist/,
    );
  });

  it('installs a Chromium when there is none, trying the next installer when one fails, once', () => {
    let installs = 0;
    let downloaded = false;
    const options = {
      env: {},
      candidates: [],
      isInstalled: () => downloaded,
      installers: [
        () => ({ status: 100, output: 'apt-get: not root' }),
        () => {
          installs += 1;
          downloaded = true;
          return { status: 0, output: '' };
        },
      ],
    };
    expect(findChromium(options)).toBeUndefined();
    expect(findChromium(options)).toBeUndefined();
    expect(installs).toBe(1);
  });

  it('fails with what to do when nothing can be installed (offline CI)', () => {
    expect(() =>
      findChromium({
        env: { CI: 'true' },
        candidates: ['/nowhere/chromium'],
        isInstalled: () => false,
        installers: [
          () => ({ status: 100, output: 'E: Unable to locate package chromium' }),
          () => ({ status: 1, output: 'getaddrinfo ENOTFOUND cdn.playwright.dev' }),
        ],
      }),
    ).toThrow(
      /installing one failed on this CI runner\. Install one \(apt-get install -y chromium[\s\S]*set EDDY_CHROMIUM[\s\S]*Unable to locate[\s\S]*ENOTFOUND/,
    );
  });
});
