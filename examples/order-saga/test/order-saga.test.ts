import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

async function run(...args: string[]): Promise<string[]> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--conditions=@eddy/source', '--import', 'tsx', main, '--order', 'order-7', ...args],
    { cwd: repoRoot, timeout: 60_000 },
  );
  return stdout.trim().split('\n');
}

const kinds = (lines: string[]): string[] =>
  lines.filter((l) => l.startsWith('  +')).map((l) => l.replace(/^\s*\+\s*\d+ ms /, '').split(' ')[0]!);

describe('order saga example', () => {
  it('reserves payment, inventory and shipping, then confirms by email', async () => {
    const lines = await run();
    expect(lines).toContain('payment: reserved 120.00 for order-7');
    expect(lines).toContain('inventory: reserved 2 x widget for order-7');
    expect(lines).toContain('shipping: scheduled order-7');
    expect(lines).toContain('email: order order-7 confirmed');
    expect(lines).toContain('saga order-7: completed');
    expect(lines.some((l) => l.includes('refunded') || l.includes('released'))).toBe(false);
  });

  it('refunds the payment when inventory fails, and never releases inventory it did not reserve', async () => {
    const lines = await run('--fail', 'inventory');
    expect(lines).toContain('inventory: out of stock for order-7 (2 x widget)');
    expect(lines).toContain('payment: refunded 120.00 for order-7');
    expect(lines.some((l) => l.startsWith('inventory: released'))).toBe(false);
    expect(lines.some((l) => l.startsWith('shipping:'))).toBe(false);
    expect(lines.find((l) => l.startsWith('email:'))).toMatch(
      /^email: order order-7 cancelled \(.*inventory/,
    );
    expect(lines).toContain('saga order-7: compensated');
  });

  it('compensates inventory then payment when shipping times out after its retries', async () => {
    const lines = await run('--fail', 'shipping-timeout');
    expect(lines.filter((l) => l.startsWith('shipping: no answer'))).toHaveLength(2);
    const release = lines.indexOf('inventory: released 2 x widget for order-7');
    const refund = lines.indexOf('payment: refunded 120.00 for order-7');
    expect(release).toBeGreaterThan(0);
    expect(refund).toBeGreaterThan(release);
    expect(lines.find((l) => l.startsWith('email:'))).toContain('no shipping.scheduled within 400 ms');
    expect(lines).toContain('saga order-7: compensated');
    const timeline = kinds(lines);
    expect(timeline[0]).toBe('started');
    expect(timeline.at(-1)).toBe('compensated');
  });

  it('cancels without compensation when payment is declined', async () => {
    const lines = await run('--fail', 'payment');
    expect(lines).toContain('payment: declined order-7');
    expect(lines.some((l) => l.startsWith('inventory:') || l.includes('refunded'))).toBe(false);
    expect(lines).toContain('saga order-7: compensated');
  });

  it('draws the choreography as Mermaid without cycles or orphan event types', async () => {
    const lines = await run('--graph');
    expect(lines[0]).toBe('flowchart LR');
    expect(lines.join('\n')).toContain('(["shipping.schedule"])');
    expect(lines.at(-1)).toBe('cycles: 0, orphan types: 0');
  });
});
