// Compute the libav field tables from each FFmpeg release's real headers and write
// ffi/libav-tables.ts. Headers come from Debian's -dev packages, downloaded and unpacked without
// installing them (scripts/libav-headers.sh), plus the installed ones. Usage:
//   bun run scripts/libav-tables.ts <headers dir>=<where they came from> ...
// Each <headers dir> holds usr/include/x86_64-linux-gnu/lib{avutil,avcodec,avformat}/.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AV_FIELD_NAMES, type AvFieldTable } from "../ffi/libav";

export type GeneratedTable = { key: string; ffmpeg: string; source: string; fields: AvFieldTable };

const HEADERS = [
  "libavutil/frame.h",
  "libavutil/hwcontext.h",
  "libavutil/hwcontext_drm.h",
  "libavutil/hwcontext_vaapi.h",
  "libavutil/hwcontext_vulkan.h",
  "libavutil/buffer.h",
  "libavutil/ffversion.h",
  "libavcodec/avcodec.h",
  "libavformat/avformat.h",
  "libavformat/avio.h",
];

/** Compile and run a probe against `include`; the fields a release lacks come back missing, named by the compiler. */
function probe(
  include: string,
  fields: [string, string][],
): { values: Map<string, number>; versions: number[]; ffmpeg: string } {
  const dir = mkdtempSync(join(tmpdir(), "libav-tables-"));
  try {
    let present = fields;
    for (let attempt = 0; attempt < 3; attempt++) {
      const source = [
        '#pragma GCC diagnostic ignored "-Wdeprecated-declarations"',
        "#include <stdio.h>",
        "#include <stddef.h>",
        ...HEADERS.map((h) => `#include <${h}>`),
        "int main(void) {",
        '  printf("versions %d %d %d\\n", LIBAVUTIL_VERSION_MAJOR, LIBAVCODEC_VERSION_MAJOR, LIBAVFORMAT_VERSION_MAJOR);',
        '  printf("ffmpeg %s\\n", FFMPEG_VERSION);',
        ...present.map(
          ([s, f]) => `  printf("${s}.${f} %zu\\n", ${f === "sizeof" ? `sizeof(${s})` : `offsetof(${s}, ${f})`});`,
        ),
        "  return 0;",
        "}",
      ].join("\n");
      writeFileSync(join(dir, "probe.c"), source);
      const cc = spawnSync("cc", ["-I", include, "-o", join(dir, "probe"), join(dir, "probe.c")], { encoding: "utf8" });
      if (cc.status !== 0) {
        // "'AVStream' has no member named 'side_data'": that release has no such field.
        const missing = new Set(
          [...cc.stderr.matchAll(/‘(\w+)’ has no member named ‘(\w+)’|'(\w+)' has no member named '(\w+)'/g)].map(
            (m) => `${m[1] ?? m[3]}.${m[2] ?? m[4]}`,
          ),
        );
        // "unknown type name 'AVVulkanDeviceQueueFamily'": that release has no such struct at all.
        const missingStructs = new Set(
          [...cc.stderr.matchAll(/unknown type name [‘'](\w+)[’']|[‘'](\w+)[’'] undeclared/g)].map((m) => m[1] ?? m[2]),
        );
        if (!missing.size && !missingStructs.size)
          throw new Error(`the probe does not compile against ${include}:\n${cc.stderr}`);
        present = present.filter(([s, f]) => !missing.has(`${s}.${f}`) && !missingStructs.has(s));
        continue;
      }
      const run = spawnSync(join(dir, "probe"), [], { encoding: "utf8" });
      const values = new Map<string, number>();
      let versions: number[] = [];
      let ffmpeg = "";
      for (const line of run.stdout.trim().split("\n")) {
        const [name, ...rest] = line.split(" ");
        if (name === "versions") versions = rest.map(Number);
        else if (name === "ffmpeg") ffmpeg = rest.join(" ");
        else values.set(name!, Number(rest[0]));
      }
      return { values, versions, ffmpeg };
    }
    throw new Error(`the probe still does not compile against ${include}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The table of one release's headers: every field the library and the shim touch, absent where the release has none. */
export function tableFromHeaders(include: string, source: string): GeneratedTable {
  const fields = Object.entries(AV_FIELD_NAMES).flatMap(([s, names]) =>
    (names as readonly string[]).map((f) => [s, f] as [string, string]),
  );
  const { values, versions, ffmpeg } = probe(include, fields);
  const table = Object.fromEntries(
    Object.entries(AV_FIELD_NAMES).map(([s, names]) => [
      s,
      Object.fromEntries(
        (names as readonly string[]).flatMap((f) => (values.has(`${s}.${f}`) ? [[f, values.get(`${s}.${f}`)!]] : [])),
      ),
    ]),
  ) as AvFieldTable;
  return { key: versions.join("/"), ffmpeg, source, fields: table };
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  if (!args.length) {
    console.error(
      "usage: bun run scripts/libav-tables.ts <headers dir>=<where they came from> ...   (see scripts/libav-headers.sh)",
    );
    process.exit(2);
  }
  const tables = args
    .map((a) => {
      const [dir, ...from] = a.split("=");
      return tableFromHeaders(join(dir!, "usr/include/x86_64-linux-gnu"), from.join("="));
    })
    .sort((a, b) => a.key.localeCompare(b.key, "en", { numeric: true }));
  const out = [
    "// Generated by scripts/libav-tables.ts from each FFmpeg release's own headers: do not edit.",
    "// Regenerate with scripts/libav-headers.sh; test/layout.test.ts recomputes the installed release's table and compares.",
    'import type { AvFieldTable } from "./libav";',
    "",
    "export const generatedAvFieldTables: Record<string, { ffmpeg: string; source: string; fields: AvFieldTable }> = {",
    ...tables.map(
      (t) =>
        `  ${JSON.stringify(t.key)}: {\n    ffmpeg: ${JSON.stringify(t.ffmpeg)},\n    source: ${JSON.stringify(t.source)},\n    fields: ${JSON.stringify(t.fields)},\n  },`,
    ),
    "};",
    "",
  ].join("\n");
  writeFileSync(join(import.meta.dir, "..", "ffi", "libav-tables.ts"), out);
  for (const t of tables) console.log(`${t.key}: FFmpeg ${t.ffmpeg} (${t.source})`);
}
