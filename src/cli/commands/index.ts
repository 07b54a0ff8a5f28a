/** The CLI's commands, in the order `--help` lists them. */
import type { KeycastCommand } from '../command.ts';
import { runCommand } from './run.ts';
import { validateCommand } from './validate.ts';
import { schemaCommand } from './schema.ts';
import { planCommand } from './plan.ts';
import { forecastCommand } from './forecast.ts';
import { anomaliesCommand } from './anomalies.ts';
import { generateCommand } from './generate.ts';
import { sweepCommand } from './sweep.ts';
import { mergeCommand } from './merge.ts';
import { checkCommand } from './check.ts';
import { compareCommand } from './compare.ts';
import { reportCommand } from './report.ts';
import { capacityCommand } from './capacity.ts';
import { clusterCommand } from './cluster.ts';
import { liveCommand } from './live.ts';
import { calibrateCommand } from './calibrate.ts';

export const commands: KeycastCommand[] = [runCommand, validateCommand, schemaCommand, planCommand, forecastCommand, anomaliesCommand, generateCommand, checkCommand, sweepCommand, mergeCommand, compareCommand, reportCommand, capacityCommand, clusterCommand, liveCommand, calibrateCommand];
