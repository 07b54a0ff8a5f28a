/** A study thread's entry (piscina, task-threads.ts): runs one seed's share of a study scenario (experiment/study-task.ts). */
import { runStudyTask, type StudyTask, type StudyTaskResult } from '../experiment/study-task.ts';
import { loadScenario } from './load-scenario.ts';
import { folderSpool } from './spool-files.ts';

export default function run(task: StudyTask): StudyTaskResult {
  return runStudyTask(task, loadScenario, folderSpool);
}
