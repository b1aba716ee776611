/**
 * The survey buttons under supervisors' messages (👀 preview under a created campaign, ▶️ start under its
 * preview, 📊 results under a started one) and the data they carry: `s|svp|S001`, `s|svs|…`, `s|svr|…`.
 * Telegram shows them; WeChat staff type the commands the messages name.
 */

const BUTTON_CODES = { preview: 'svp', start: 'svs', report: 'svr' } as const;

/** What a survey button does. */
export type SurveyButtonAction = keyof typeof BUTTON_CODES;

/** The data of the button that runs `action` on campaign `id`. */
export function surveyButtonData(action: SurveyButtonAction, id: string): string {
  return `s|${BUTTON_CODES[action]}|${id}`;
}

/** Reads a survey button's data as the command it stands for; undefined for anything else. */
export function parseSurveyButton(data: string): { action: SurveyButtonAction; campaignId: string } | undefined {
  const m = data.match(/^s\|(svp|svs|svr)\|(S\d{3,6})$/);
  if (!m) return undefined;
  const action = (Object.keys(BUTTON_CODES) as SurveyButtonAction[]).find((a) => BUTTON_CODES[a] === m[1]);
  return action ? { action, campaignId: m[2]! } : undefined;
}
