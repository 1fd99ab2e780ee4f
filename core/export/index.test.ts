import { describe, expect, it } from 'vitest';
import { EXPORT_FORMATS, exportRun, formatFromPath, isExportFormat } from './index.ts';
import { fixtureData } from './test-fixture.ts';

describe('formatFromPath', () => {
  it('maps .json, .csv and .xml (JUnit), ignoring case and directories', () => {
    expect(formatFromPath('out/run.json')).toBe('json');
    expect(formatFromPath('RUN.CSV')).toBe('csv');
    expect(formatFromPath('reports/junit.xml')).toBe('junit');
    expect(formatFromPath('./results.v2.xml')).toBe('junit');
  });

  it('is undefined for other or missing extensions', () => {
    expect(formatFromPath('run.txt')).toBeUndefined();
    expect(formatFromPath('run')).toBeUndefined();
    expect(formatFromPath('out.json/run')).toBeUndefined();
    expect(formatFromPath('')).toBeUndefined();
  });
});

describe('exportRun', () => {
  it('dispatches to the exporter of each format', () => {
    const data = fixtureData();
    expect(JSON.parse(exportRun('json', data)).results).toHaveLength(8);
    expect(exportRun('csv', data).startsWith('run_id,case_index,')).toBe(true);
    expect(exportRun('junit', data)).toContain('<testsuites name="support-bot"');
  });

  it('lists its formats', () => {
    expect(EXPORT_FORMATS).toEqual(['json', 'csv', 'junit']);
    expect(isExportFormat('junit')).toBe(true);
    expect(isExportFormat('xml')).toBe(false);
  });
});
