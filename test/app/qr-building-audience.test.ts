/**
 * Owners who followed the Service Account by a building's QR code (Owner.qrBuilding) and never typed a
 * flat are in that building for notices and survey campaigns aimed at buildings (issue 18); a flat the
 * owner gives still decides. Over the fake WeChat platform: the notice, sent days after the owners last
 * wrote, reaches them by the notice template.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { placesOfOwner } from '../../src/core/notices/target.js';
import { encodeNoticeButton } from '../../src/core/protocol/notice-buttons.js';
import { buildingFor } from '../../src/core/surveys/campaign.js';
import { HOUR, type MpEstate, mpEstate, TEMPLATE_IDS } from '../support/mp-estate.js';

const IN_3 = 'oQR3aaaaaaaaaaaaaaaaaaaaaaaa';
const IN_5 = 'oQR5bbbbbbbbbbbbbbbbbbbbbbbb';
const NO_QR = 'oNOQRccccccccccccccccccccccc';

const estates: MpEstate[] = [];
afterEach(async () => {
  for (const e of estates.splice(0)) await e.close();
});

/** Three owners follow: by building 3's QR code, by building 5's, and by searching the account. */
async function estate(): Promise<MpEstate> {
  const e = await mpEstate({ templates: ['notice', 'survey_invitation'] });
  estates.push(e);
  await e.follow('阳光花园:3', IN_3);
  await e.follow('阳光花园:5', IN_5);
  await e.follow(undefined, NO_QR);
  for (const openId of [IN_3, IN_5, NO_QR]) await e.say('你好', openId);
  e.clock.advance(3 * 24 * HOUR);
  return e;
}

describe('the building of the QR code an owner followed by', () => {
  it('is their place when they gave no flat; a flat they gave decides', () => {
    const qr = { estate: '阳光花园', building: '3' };
    expect(placesOfOwner({ units: [], qrBuilding: qr })).toEqual(['3']);
    expect(placesOfOwner({ units: [], qrBuilding: { estate: '阳光花园', building: '03号楼' } })).toEqual(['3']);
    expect(placesOfOwner({ units: ['5-1-101'], qrBuilding: qr })).toEqual(['5', '5-1']);
    expect(placesOfOwner({ units: [] })).toEqual([]);
    expect(buildingFor({ units: [], qrBuilding: qr }, { kind: 'buildings', buildings: ['3'] })).toBe('3');
    expect(buildingFor({ units: [], qrBuilding: qr }, { kind: 'buildings', buildings: ['5'] })).toBeUndefined();
    expect(
      buildingFor({ units: ['5-1-101'], qrBuilding: qr }, { kind: 'buildings', buildings: ['3'] }),
    ).toBeUndefined();
  });

  it('puts the owner among a building’s notice readers (by template, days after they last wrote)', async () => {
    const e = await estate();
    await e.staffSays('/notice 停水 3 12-08 9:00-17:00 因主管道检修停水，请提前储水。');
    expect(e.staffTexts().join('\n')).toContain('约 1 户');
    await e.app.handleInbound({
      channel: 'console',
      chatId: 'staff',
      chatKind: 'staff',
      userId: 'u-wang',
      userName: '王师傅',
      messageId: 'publish-N001',
      receivedAt: e.clock.now(),
      content: { type: 'button', data: encodeNoticeButton({ type: 'staff', action: 'publish', noticeId: 'N001' }) },
    });
    await e.tick();
    expect(e.fake.templatesTo(IN_3)).toMatchObject([
      { templateId: TEMPLATE_IDS.notice, data: { character_string1: 'N001', thing2: '停水通知' } },
    ]);
    expect(e.fake.templatesTo(IN_5)).toEqual([]);
    expect(e.fake.templatesTo(NO_QR)).toEqual([]);
    const owner = await e.store.findOwnerByIdentity('wechat_mp', IN_3);
    expect(await e.store.countNoticeDeliveries('N001')).toMatchObject({ sent: 1 });
    expect(owner?.units).toEqual([]);
  });

  it('puts the owner in a survey campaign for their building', async () => {
    const e = await estate();
    await e.staffSays('/survey create residential buildings=5');
    await e.staffSays('/survey preview S001');
    await e.staffSays('/survey start S001');
    await e.tick();
    const invited = await e.store.listSurveyInvitations('S001', {});
    const in5 = await e.store.findOwnerByIdentity('wechat_mp', IN_5);
    expect(invited.map((i) => [i.ownerId, i.building])).toEqual([[in5?.id, '5']]);
    expect(e.fake.templatesTo(IN_5)).toHaveLength(1);
    expect(e.fake.templatesTo(IN_3)).toEqual([]);
  });
});
