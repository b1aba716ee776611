/**
 * Reads the emergency rules (`flows/understand/emergency.yaml`) from disk and compiles them. A missing or
 * broken file throws EmergencyRulesError naming the file and every broken entry, so start-up stops
 * instead of missing an emergency.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type EmergencyRules, EmergencyRulesError, parseEmergencyRules } from '../../core/understand/emergency.js';

/** `flows/understand/emergency.yaml` in this repository, wherever the process was started from. */
export const DEFAULT_EMERGENCY_RULES_PATH = fileURLToPath(
  new URL('../../../flows/understand/emergency.yaml', import.meta.url),
);

export function loadEmergencyRules(path: string = DEFAULT_EMERGENCY_RULES_PATH): EmergencyRules {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new EmergencyRulesError([`${path}: cannot be read: ${(error as Error).message}`]);
  }
  try {
    return parseEmergencyRules(text);
  } catch (error) {
    if (error instanceof EmergencyRulesError) throw new EmergencyRulesError(error.problems.map((p) => `${path}: ${p}`));
    throw error;
  }
}
