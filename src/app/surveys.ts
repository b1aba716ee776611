/**
 * Moved to `src/app/surveys/`: this file only re-exports what the App, the CLI and the tests import from
 * here, until their imports point at the new modules.
 */
export { buildingFor } from '../core/surveys/campaign.js';
export { parseSurveyButton } from './surveys/buttons.js';
export {
  normaliseCampaignId,
  parseSurveyCommand,
  type SurveyCommand,
  type SurveyCommandResult,
} from './surveys/commands.js';
export type { StartFlowOptions, SurveyAnswerResult, SurveyOwners } from './surveys/owners.js';
export {
  MAX_REMINDERS,
  SURVEY_DEFAULTS,
  type SurveyOptions,
  type SurveyRefusal,
  type SurveyResult,
} from './surveys/support.js';
export { Surveys } from './surveys/surveys.js';
