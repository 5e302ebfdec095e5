import { expect, it } from 'vitest';
import { compareOffsets } from '../offsets.js';
import { numbered, textMessages } from '../transport/harness.js';
import { waitFor } from '../wait-for.js';
import { findGroup, findTopic, waitForGroup, type AdminHarness } from './harness.js';

/** listGroups: lag, positions, members, owners, the topic filter. */
export function groupTests(a: AdminHarness): void {
  const { h, options } = a;
  const owners = options.partitionOwners ?? true;
  const idleMembers = options.idleMembers ?? true;

  it(
    owners
      ? "listGroups shows a group's lag until its messages are acked, its member and each busy partition's owner"
      : "listGroups shows a group's lag until its messages are acked and its member (partitionOwners: false, so owner is undefined)",
    async () => {
      const member = await h.open();
      const { admin } = await a.openAdmin();
      const topic = h.topic();
      const group = h.group();
      const texts = numbered('lag', 5);
      await member.publish(
        topic,
        texts.map((text, i) => textMessages([text], `key-${i}`)[0]!),
      );
      const gate = h.gate();
      const { collector } = await h.collect(member, topic, { group, from: 'earliest' }, () => gate.promise);
      await collector.waitForAll(texts);
      const busy = await waitForGroup(
        admin,
        topic,
        group,
        (summary) => summary.lag === 5 && summary.members === 1,
        'lag 5 and one member while every message is in flight',
      );
      expect(busy.topic).toBe(topic);
      expect(busy.partitions.reduce((sum, p) => sum + p.lag, 0)).toBe(5);
      for (const partition of busy.partitions) {
        expect(partition.behindRetention).toBe(false);
        if (!owners) expect(partition.owner).toBeUndefined();
        else if (partition.lag > 0)
          expect(partition.owner, `owner of partition ${partition.partition}`).toBeDefined();
      }

      gate.open();
      const settled = await waitForGroup(
        admin,
        topic,
        group,
        (summary) => summary.lag === 0,
        'lag 0 once every message is acked',
      );
      const info = (await findTopic(admin, topic))?.partitionInfo ?? [];
      for (const partition of settled.partitions) {
        expect(partition.lag).toBe(0);
        const last = info.find((p) => p.partition === partition.partition)?.lastOffset;
        // Every offset below the position is settled, so it lies past the partition's last message.
        if (last !== undefined) expect(compareOffsets(partition.position, last)).toBeGreaterThan(0);
      }
    },
  );

  it("listGroups(topic) lists only that topic's groups; listGroups() lists every topic's", async () => {
    const member = await h.open();
    const { admin } = await a.openAdmin();
    const [first, second] = [h.topic(), h.topic()];
    const [firstGroup, secondGroup] = [h.group(), h.group()];
    await (await member.subscribe(first, { group: firstGroup }, () => undefined)).close();
    await (await member.subscribe(second, { group: secondGroup }, () => undefined)).close();
    const filtered = await admin.listGroups(first);
    expect(filtered.every((summary) => summary.topic === first)).toBe(true);
    expect(filtered.map((summary) => summary.group)).toContain(firstGroup);
    expect(filtered.map((summary) => summary.group)).not.toContain(secondGroup);
    const all = (await admin.listGroups()).map((summary) => `${summary.topic}/${summary.group}`);
    expect(all).toEqual(expect.arrayContaining([`${first}/${firstGroup}`, `${second}/${secondGroup}`]));
    expect((await findGroup(admin, second, secondGroup))?.lag).toBe(0);
  });

  it(
    idleMembers
      ? 'members counts a subscribed member, idle or busy, until it closes'
      : 'members counts a member holding messages until it closes (idleMembers: false, so an idle member elsewhere is not seen)',
    async () => {
      const member = await h.open();
      const { admin } = await a.openAdmin();
      const topic = h.topic();
      const group = h.group();
      const gate = h.gate();
      const { collector, subscription } = await h.collect(member, topic, { group }, () => gate.promise);
      if (idleMembers) {
        await waitForGroup(admin, topic, group, (summary) => summary.members === 1, 'one idle member');
      }
      await member.publish(topic, textMessages(['busy']));
      await collector.waitForAll(['busy']);
      await waitForGroup(admin, topic, group, (summary) => summary.members === 1, 'one busy member');
      gate.open();
      await subscription.close();
      await waitFor(async () => (await findGroup(admin, topic, group))?.members === 0, {
        description: 'no member after close',
      });
    },
  );
}
