/**
 * The survey buttons under supervisors' messages (👀 preview under a created campaign, ▶️ start under its
 * preview, 📊 results under a started one), through the staff button codec (core/protocol/buttons.ts):
 * `s|svp|S001`, `s|svs|…`, `s|svr|…`. Telegram shows them; WeChat staff type the commands the messages name.
 */
import { decodeStaffButton, encodeStaffButton, type SurveyButtonAction } from '../../core/protocol/buttons.js';

export type { SurveyButtonAction };

/** The data of the button that runs `action` on campaign `id`. */
export function surveyButtonData(action: SurveyButtonAction, id: string): string {
  return encodeStaffButton({ type: 'survey', action, campaignId: id });
}

/** Reads a survey button's data as the command it stands for; undefined for anything else. */
export function parseSurveyButton(data: string): { action: SurveyButtonAction; campaignId: string } | undefined {
  const button = decodeStaffButton(data);
  return button?.type === 'survey' ? { action: button.action, campaignId: button.campaignId } : undefined;
}
