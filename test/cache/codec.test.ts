import { deepCopy, guildRecordCodec } from '../../src/cache/codec';
import type { GuildRecord } from '../../src/db/api';

describe('cached values are copied out', () => {
  const record: GuildRecord = {
    guildId: '200000000000000001',
    attributes: { LANG: 'FR', PREMIUM_GUILD: true },
    data: { prefix: '!', tags: [{ name: 'rules', uses: 3 }], nested: { deep: { list: [1, null, 'x'] } } },
    createdAt: new Date('2026-01-02T03:04:05.678Z'),
    updatedAt: new Date('2026-02-03T04:05:06.789Z'),
    deactivatedAt: null,
  };

  it('deeply: the copy equals the value and shares no object or Date with it', () => {
    const copy = guildRecordCodec.copy(record);
    expect(copy).toEqual(record);
    expect(copy?.createdAt).toBeInstanceOf(Date);
    expect(copy?.createdAt).not.toBe(record.createdAt);
    expect(copy?.data).not.toBe(record.data);
    (copy?.data.tags as { uses: number }[])[0]!.uses = 99;
    copy!.attributes.LANG = 'EN';
    expect(record.data.tags).toEqual([{ name: 'rules', uses: 3 }]);
    expect(record.attributes.LANG).toBe('FR');
  });

  it('keeps a "__proto__" key read from JSON an own key, without touching the prototype', () => {
    const parsed = JSON.parse('{"a":{"__proto__":{"polluted":true},"b":1}}') as Record<string, unknown>;
    const copy = deepCopy(parsed);
    const inner = copy.a as Record<string, unknown>;
    expect(Object.getPrototypeOf(inner)).toBe(Object.prototype);
    expect(Object.keys(inner)).toEqual(['__proto__', 'b']);
    expect((inner as { polluted?: unknown }).polluted).toBeUndefined();
    expect(JSON.stringify(copy)).toBe(JSON.stringify(parsed));
  });
});
