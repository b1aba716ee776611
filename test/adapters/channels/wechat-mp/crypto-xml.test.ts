/**
 * The callback's crypto and XML against WeChat's own documented examples: the plain-mode signature of the
 * 消息加解密说明 page, the encrypted message and msg_signature of Tencent's sample code (WXBizMsgCrypt,
 * Python demo: token spamtest, AppID wx2c2769f8efd9abc2) and its Java test's fixed-random ciphertext,
 * and the XML payloads of the 接收普通消息 / 接收事件推送 pages.
 */
import { decrypt, encrypt, getSignature } from '@wecom/crypto';
import { describe, expect, it } from 'vitest';
import { messageSignatureOk, openMessage, signatureOk } from '../../../../src/adapters/channels/wechat-mp/crypto.js';
import { dedupeKey, handlingOf, sceneBuilding } from '../../../../src/adapters/channels/wechat-mp/inbound.js';
import { readEnvelope, readXml, toMessage } from '../../../../src/adapters/channels/wechat-mp/xml.js';

const SAMPLE_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const SAMPLE = {
  token: 'spamtest',
  appId: 'wx2c2769f8efd9abc2',
  timestamp: '1409735669',
  nonce: '1320562132',
  msgSignature: '5d197aaffba7e9b25a30732f161a50dee96bd5fa',
  encrypted:
    'hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=',
};

describe('signatures (official examples)', () => {
  it('accepts the documented plain-mode signature and refuses any change to it', () => {
    const query = {
      signature: '899cf89e464efb63f54ddac96b0a0a235f53aa78',
      timestamp: '1714037059',
      nonce: '486452656',
    };
    expect(signatureOk('AAAAA', query)).toBe(true);
    expect(signatureOk('AAAAB', query)).toBe(false);
    expect(signatureOk('AAAAA', { ...query, nonce: '486452657' })).toBe(false);
    expect(signatureOk('AAAAA', { ...query, signature: undefined })).toBe(false);
  });

  it('accepts the sample code’s msg_signature over the Encrypt field, and not over another', () => {
    const query = { timestamp: SAMPLE.timestamp, nonce: SAMPLE.nonce, msg_signature: SAMPLE.msgSignature };
    expect(messageSignatureOk(SAMPLE.token, query, SAMPLE.encrypted)).toBe(true);
    expect(messageSignatureOk(SAMPLE.token, query, `${SAMPLE.encrypted.slice(1)}A`)).toBe(false);
  });
});

describe('AES safe mode (official examples)', () => {
  it('decrypts the sample message, our AppID inside', () => {
    const opened = openMessage(SAMPLE_KEY, SAMPLE.appId, SAMPLE.encrypted);
    expect(opened.status).toBe('ok');
    const message = toMessage(readXml(opened.status === 'ok' ? opened.xml : '') ?? {});
    expect(message).toEqual({
      kind: 'text',
      toUser: 'gh_10f6c3c3ac5a',
      fromUser: 'oyORnuP8q7ou2gfYjqLzSIWZf0rs',
      createTime: 1409735668,
      content: 'abcdteT',
      // 64 bits: read as a string, never through a number (which would end …713700).
      msgId: '6054768590064713728',
    });
  });

  it('refuses a message for another account: the AppID inside is not ours', () => {
    expect(openMessage(SAMPLE_KEY, 'wxb11529c136998cb6', SAMPLE.encrypted)).toEqual({
      status: 'wrong_app',
      appId: SAMPLE.appId,
    });
  });

  it('tells a wrong EncodingAESKey, which decrypts without error into garbage', () => {
    const wrongKey = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefg';
    expect(() => decrypt(wrongKey, SAMPLE.encrypted)).not.toThrow();
    expect(openMessage(wrongKey, SAMPLE.appId, SAMPLE.encrypted)).toEqual({ status: 'garbage' });
    expect(openMessage(SAMPLE_KEY, SAMPLE.appId, 'not base64 at all!')).toEqual({ status: 'garbage' });
  });

  it('encrypts as the Java sample does with its fixed random bytes, and round-trips', () => {
    const ciphered = encrypt(SAMPLE_KEY, '我是中文abcd123', 'wxb11529c136998cb6', Buffer.from('aaaabbbbccccdddd'));
    expect(ciphered).toBe('jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg==');
    expect(decrypt(SAMPLE_KEY, ciphered)).toMatchObject({ message: '我是中文abcd123', id: 'wxb11529c136998cb6' });
    const xml = '<xml><Content><![CDATA[水管爆了 3栋]]></Content></xml>';
    expect(openMessage(SAMPLE_KEY, SAMPLE.appId, encrypt(SAMPLE_KEY, xml, SAMPLE.appId))).toEqual({
      status: 'ok',
      xml,
    });
    // The package's signature is the documented one (SHA1 of the sorted parts).
    expect(getSignature(SAMPLE.token, SAMPLE.timestamp, SAMPLE.nonce, SAMPLE.encrypted)).toBe(SAMPLE.msgSignature);
  });
});

/** Payloads as the 接收普通消息 and 接收事件推送 pages show them. */
const DOC = {
  text: `<xml>
  <ToUserName><![CDATA[toUser]]></ToUserName>
  <FromUserName><![CDATA[fromUser]]></FromUserName>
  <CreateTime>1348831860</CreateTime>
  <MsgType><![CDATA[text]]></MsgType>
  <Content><![CDATA[this is a test]]></Content>
  <MsgId>1234567890123456</MsgId>
</xml>`,
  image: `<xml>
  <ToUserName><![CDATA[toUser]]></ToUserName>
  <FromUserName><![CDATA[fromUser]]></FromUserName>
  <CreateTime>1348831860</CreateTime>
  <MsgType><![CDATA[image]]></MsgType>
  <PicUrl><![CDATA[this is a url]]></PicUrl>
  <MediaId><![CDATA[media_id]]></MediaId>
  <MsgId>1234567890123456</MsgId>
</xml>`,
  location: `<xml>
  <ToUserName><![CDATA[toUser]]></ToUserName>
  <FromUserName><![CDATA[fromUser]]></FromUserName>
  <CreateTime>1351776360</CreateTime>
  <MsgType><![CDATA[location]]></MsgType>
  <Location_X>23.134521</Location_X>
  <Location_Y>113.358803</Location_Y>
  <Scale>20</Scale>
  <Label><![CDATA[位置信息]]></Label>
  <MsgId>1234567890123456</MsgId>
</xml>`,
  subscribe: `<xml>
  <ToUserName><![CDATA[toUser]]></ToUserName>
  <FromUserName><![CDATA[FromUser]]></FromUserName>
  <CreateTime>123456789</CreateTime>
  <MsgType><![CDATA[event]]></MsgType>
  <Event><![CDATA[subscribe]]></Event>
</xml>`,
  subscribeScene: `<xml><ToUserName><![CDATA[toUser]]></ToUserName>
<FromUserName><![CDATA[FromUser]]></FromUserName>
<CreateTime>123456789</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[subscribe]]></Event>
<EventKey><![CDATA[qrscene_123123]]></EventKey>
<Ticket><![CDATA[TICKET]]></Ticket>
</xml>`,
  scan: `<xml>
  <ToUserName><![CDATA[toUser]]></ToUserName>
  <FromUserName><![CDATA[FromUser]]></FromUserName>
  <CreateTime>123456789</CreateTime>
  <MsgType><![CDATA[event]]></MsgType>
  <Event><![CDATA[SCAN]]></Event>
  <EventKey><![CDATA[SCENE_VALUE]]></EventKey>
  <Ticket><![CDATA[TICKET]]></Ticket>
</xml>`,
  click: `<xml>
  <ToUserName><![CDATA[toUser]]></ToUserName>
  <FromUserName><![CDATA[FromUser]]></FromUserName>
  <CreateTime>123456789</CreateTime>
  <MsgType><![CDATA[event]]></MsgType>
  <Event><![CDATA[CLICK]]></Event>
  <EventKey><![CDATA[EVENTKEY]]></EventKey>
</xml>`,
  unsubscribe: `<xml>
  <ToUserName><![CDATA[toUser]]></ToUserName>
  <FromUserName><![CDATA[FromUser]]></FromUserName>
  <CreateTime>123456789</CreateTime>
  <MsgType><![CDATA[event]]></MsgType>
  <Event><![CDATA[unsubscribe]]></Event>
</xml>`,
};

const parse = (xml: string) => toMessage(readEnvelope(xml)?.fields ?? {});

describe('callback XML (documented payloads)', () => {
  it('reads text, image and location messages', () => {
    const common = { toUser: 'toUser', fromUser: 'fromUser' };
    expect(parse(DOC.text)).toEqual({
      ...common,
      createTime: 1348831860,
      kind: 'text',
      msgId: '1234567890123456',
      content: 'this is a test',
    });
    expect(parse(DOC.image)).toEqual({
      ...common,
      createTime: 1348831860,
      kind: 'image',
      msgId: '1234567890123456',
      mediaId: 'media_id',
      picUrl: 'this is a url',
    });
    expect(parse(DOC.location)).toEqual({
      ...common,
      createTime: 1351776360,
      kind: 'location',
      msgId: '1234567890123456',
      latitude: 23.134521,
      longitude: 113.358803,
      label: '位置信息',
    });
  });

  it('reads follows (with the QR code’s scene value), scans, menu clicks and unfollows', () => {
    const common = { toUser: 'toUser', fromUser: 'FromUser', createTime: 123456789 };
    expect(parse(DOC.subscribe)).toEqual({ ...common, kind: 'subscribe' });
    // qrscene_ is the prefix; 123123 stays text (scene values are matched, never computed with).
    expect(parse(DOC.subscribeScene)).toEqual({ ...common, kind: 'subscribe', scene: '123123' });
    expect(parse(DOC.scan)).toEqual({ ...common, kind: 'scan', scene: 'SCENE_VALUE' });
    expect(parse(DOC.click)).toEqual({ ...common, kind: 'click', key: 'EVENTKEY' });
    expect(parse(DOC.unsubscribe)).toEqual({ ...common, kind: 'unsubscribe' });
  });

  it('refuses what is not a message: broken XML, a DOCTYPE with entities, a message without a sender', () => {
    expect(readEnvelope('<xml><ToUserName>a</xml>')).toBeUndefined();
    expect(
      readEnvelope('<!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa">]><xml><Content>&a;&a;&a;</Content></xml>'),
    ).toBeUndefined();
    expect(parse(DOC.text.replace(/<FromUserName>.*<\/FromUserName>/, ''))).toBeUndefined();
  });

  it('hands a location, a voice note and an unfollow to the application as it can take them', () => {
    const at = new Date('2026-11-28T02:00:00Z');
    const location = parse(DOC.location);
    const unsubscribe = parse(DOC.unsubscribe);
    if (!location || !unsubscribe) throw new Error('parsed');
    expect(handlingOf(location, at).inbound?.content).toEqual({ type: 'unsupported', what: 'location' });
    expect(handlingOf(unsubscribe, at)).toEqual({ key: dedupeKey(unsubscribe), unfollowed: true });
  });
});

describe('dedupe keys and scene values', () => {
  const at = new Date('2026-11-28T02:00:00Z');
  it('keys a message by MsgId, and two events of one second apart when their kind or key differ', () => {
    const text = parse(DOC.text);
    const click = parse(DOC.click);
    const otherClick = parse(DOC.click.replace('EVENTKEY', 'repair'));
    const follow = parse(DOC.subscribe);
    if (!text || !click || !otherClick || !follow) throw new Error('parsed');
    expect(handlingOf(text, at).inbound?.messageId).toBe('msg:1234567890123456');
    // Same sender and second (WeChat's own key would merge them): different events stay apart.
    const keys = [dedupeKey(click), dedupeKey(otherClick), dedupeKey(follow)];
    expect(new Set(keys).size).toBe(3);
    // A retry of the same event is the same key.
    expect(dedupeKey(parse(DOC.click) as NonNullable<ReturnType<typeof parse>>)).toBe(dedupeKey(click));
  });

  it('reads <estate>:<building> from a scene, and nothing from any other scene', () => {
    expect(sceneBuilding('sunshine:3')).toEqual({ estate: 'sunshine', building: '3' });
    expect(sceneBuilding('阳光花园:12栋')).toEqual({ estate: '阳光花园', building: '12栋' });
    expect(sceneBuilding('123123')).toBeUndefined();
    expect(sceneBuilding('a:b:c')).toBeUndefined();
    expect(sceneBuilding(':3')).toBeUndefined();
  });

  it('turns a follow into /start and a menu click into its command', () => {
    const follow = parse(DOC.subscribeScene.replace('qrscene_123123', 'qrscene_sunshine:3'));
    const click = parse(DOC.click.replace('EVENTKEY', 'repair'));
    if (!follow || !click) throw new Error('parsed');
    expect(handlingOf(follow, at)).toMatchObject({
      inbound: { channel: 'wechat_mp', chatId: 'FromUser', content: { type: 'text', text: '/start' } },
      bind: { estate: 'sunshine', building: '3' },
      opens: 'event',
    });
    expect(handlingOf(click, at)).toMatchObject({ inbound: { content: { text: '/repair' } }, opens: 'event' });
  });
});
