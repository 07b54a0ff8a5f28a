/** Reports: Vega-Lite charts, HTML, Markdown and CSV from run results. */
export * from './charts.ts';
export * from './csv.ts';
export * from './html.ts';
export * from './markdown.ts';
export * from './tables.ts';
export * from './write-report.ts';
