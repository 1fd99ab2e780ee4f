import { exportCsv } from './csv.ts';
import { exportJson } from './json.ts';
import { exportJunit } from './junit.ts';
import type { ExportData } from './types.ts';

export type { ExportData } from './types.ts';

export type ExportFormat = 'json' | 'csv' | 'junit';

export const EXPORT_FORMATS: readonly ExportFormat[] = ['json', 'csv', 'junit'];

const EXPORTERS: Record<ExportFormat, (data: ExportData) => string> = {
  json: exportJson,
  csv: exportCsv,
  junit: exportJunit,
};

const EXTENSIONS: Record<string, ExportFormat> = { '.json': 'json', '.csv': 'csv', '.xml': 'junit' };

export function exportRun(format: ExportFormat, data: ExportData): string {
  return EXPORTERS[format](data);
}

/** The format a file name asks for, by its extension (case-insensitive); undefined if none matches. */
export function formatFromPath(path: string): ExportFormat | undefined {
  const extension = /\.[^./\\]+$/.exec(path.toLowerCase())?.[0];
  return extension === undefined ? undefined : EXTENSIONS[extension];
}

export function isExportFormat(value: string): value is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(value);
}
