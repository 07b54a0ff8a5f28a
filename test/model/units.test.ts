import { describe, expect, it } from 'vitest';
import { formatDuration, parseBandwidth, parseDuration, parseSize } from '../../src/model/units.ts';

describe('units', () => {
  it('parses combined and decimal durations', () => {
    expect(parseDuration('1d6h')).toBe(30 * 3_600_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('200ms')).toBe(200);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('0')).toBe(0);
    expect(parseDuration(0)).toBe(0);
  });
  it('rejects durations without or with unknown units', () => {
    expect(parseDuration('15')).toBeUndefined();
    expect(parseDuration(15)).toBeUndefined();
    expect(parseDuration('5 weeks')).toBeUndefined();
    expect(parseDuration('h')).toBeUndefined();
  });
  it('parses binary sizes and bandwidths', () => {
    expect(parseSize(512)).toBe(512);
    expect(parseSize('512')).toBe(512);
    expect(parseSize('1KB')).toBe(1024);
    expect(parseSize('1.5 MB')).toBe(1.5 * 1024 * 1024);
    expect(parseSize('2GB')).toBe(2 * 1024 ** 3);
    expect(parseSize('3TB')).toBeUndefined();
    expect(parseBandwidth('50MB/s')).toBe(50 * 1024 * 1024);
    expect(parseBandwidth('50MB')).toBeUndefined();
  });
  it('formats durations exactly', () => {
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(30 * 3_600_000)).toBe('1d6h');
  });
});

describe('formatBytes', () => {
  it('binary units labelled as such, three significant digits from KiB up', async () => {
    const { formatBytes } = await import('../../src/model/units.ts');
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.00 GiB');
    expect(formatBytes(5 * 1024 ** 5)).toBe('5.00 PiB');
    expect(formatBytes(-150 * 1024 ** 2)).toBe('−150 MiB');
    expect(formatBytes(12.34 * 1024)).toBe('12.3 KiB');
  });
});
