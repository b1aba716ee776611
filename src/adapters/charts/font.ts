/**
 * The font the charts are drawn with: Noto Sans SC Regular (SIL Open Font License), shipped by the
 * registry package @expo-google-fonts/noto-sans-sc as a TrueType file (resvg reads TrueType and OpenType,
 * not the web fonts' WOFF2). It is a dependency, so `npm ci` alone puts it on every machine; the charts
 * never look for a system font.
 */
import { createRequire } from 'node:module';

/** The package's TrueType file of the regular weight. */
const FONT = '@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf';

/** The path of the charts' font file, resolved from node_modules. */
export function chartFontFile(): string {
  return createRequire(import.meta.url).resolve(FONT);
}
