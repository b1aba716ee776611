/**
 * What an owner may say about surveys in a private chat, as whole messages: stop sending me surveys,
 * send them again, and "show me my survey" (to pick an unfinished questionnaire up again).
 */

export type OwnerSurveyWord = 'optout' | 'optin' | 'resume';

/** Words and slash commands (without the slash), compared in lower case. */
export const OWNER_SURVEY_WORDS: Readonly<Record<string, OwnerSurveyWord>> = {
  nosurvey: 'optout',
  nosurveys: 'optout',
  不要调查: 'optout',
  退订调查: 'optout',
  不再接收调查: 'optout',
  不要问卷: 'optout',
  退订问卷: 'optout',
  yessurvey: 'optin',
  surveyson: 'optin',
  接收调查: 'optin',
  恢复调查: 'optin',
  questionnaire: 'resume',
  问卷: 'resume',
  填写问卷: 'resume',
  继续问卷: 'resume',
  继续调查: 'resume',
};

/** Reads `/nosurvey`, `/nosurvey@bot`, 不要调查, 退订调查 … from a whole message; undefined for anything else. */
export function parseOwnerSurveyWord(text: string): OwnerSurveyWord | undefined {
  const trimmed = text.trim();
  const slash = trimmed.match(/^\/([a-zA-Z_]+)(?:@\w+)?$/);
  const word = (slash ? slash[1] : trimmed.replace(/[。！!.\s]+$/u, ''))?.toLowerCase() ?? '';
  return Object.hasOwn(OWNER_SURVEY_WORDS, word) ? OWNER_SURVEY_WORDS[word] : undefined;
}
