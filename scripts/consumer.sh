#!/usr/bin/env bash
# Use the package as a user would: pack it (only what `files` ships), depend on the tarball from a
# fresh Bun project, run every TypeScript example of the README's "Using it" section unchanged on a
# generated clip.mp4, and type-check them under strict compiler options of the user's own.
# Usage: scripts/consumer.sh [work dir]   (prints "consumer: ok" at the end)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-$(mktemp -d)}"
bun="$root/node_modules/.bin/bun"
mkdir -p "$work"
rm -f "$work"/vaapi-vk-*.tgz
(cd "$root" && "$bun" pm pack --destination "$work" --quiet >/dev/null)
tarball="$(ls "$work"/vaapi-vk-*.tgz)"
cd "$work"
cat > package.json <<JSON
{ "name": "vaapi-vk-consumer", "private": true, "type": "module",
  "dependencies": { "vaapi-vk": "file:$tarball" },
  "devDependencies": { "@types/bun": "1.4.5", "typescript": "5.9.3" } }
JSON
cat > tsconfig.json <<'JSON'
{ "compilerOptions": { "target": "ESNext", "module": "Preserve", "moduleResolution": "bundler", "lib": ["ESNext"], "types": ["bun"],
  "strict": true, "noUncheckedIndexedAccess": true, "exactOptionalPropertyTypes": true, "noPropertyAccessFromIndexSignature": true,
  "noImplicitOverride": true, "noImplicitReturns": true, "noUnusedLocals": false, "noEmit": true, "skipLibCheck": false } }
JSON
"$bun" install --silent
# What ships: the library, no tests, examples, caches or repository files.
for unwanted in test examples .git .cache .gpu scripts; do
  if [ -e "node_modules/vaapi-vk/$unwanted" ]; then echo "consumer: the package ships $unwanted" >&2; exit 1; fi
done
[ -s clip.mp4 ] || ffmpeg -v error -y -f lavfi -i testsrc2=size=320x180:rate=30 -frames:v 120 -c:v libx264 -pix_fmt yuv420p -g 30 -bf 2 clip.mp4
# Every ```ts block of "Using it", each as its own module.
awk '/^## Using it/{on=1; next} /^## /{on=0} on && /^```ts$/{n++; f=sprintf("example%d.ts", n); inb=1; next} inb && /^```$/{inb=0; next} inb{print > f}' "$root/README.md"
ls example*.ts >/dev/null
for f in example*.ts; do
  echo "consumer: running $f"
  "$bun" run "$f" > "$f.out"
done
node_modules/.bin/tsc -p . --noEmit
echo "consumer: ok ($(ls example*.ts | wc -l) examples)"
