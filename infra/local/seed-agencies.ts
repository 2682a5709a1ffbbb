/**
 * A demo province's collection service organisations (domain.md section 5), deterministic for a seed: about
 * 20 organisations, 300 collectors, 40 communes and 10,000 participants with 12 months of enrolments by
 * default, scalable to the national figures for the bench (527 organisations, 53,000 collectors, 27,452
 * points). Planted in it, with their near misses: every rule breach the review checks, a few organisations
 * under target, some clean organisations, and three bad records (a collector without a national ID, a
 * point in an unknown commune, an enrolment dated in the future).
 */
import type {
  CollectionPoint,
  Collector,
  Enrolment,
  Organisation,
  Participant,
} from '../../functions/agencies/model.ts';
import { addDays, addMonths, lastDayOf } from '../../functions/shared/calendar.ts';
import { groupBy } from '../../functions/shared/collections.ts';
import { mulberry32 } from './seed.ts';

export interface AgencyProvinceOptions {
  /** The review date; enrolments run up to the month before it. */
  asOf: string;
  organisations?: number;
  collectors?: number;
  communes?: number;
  participants?: number;
  /** Collection points (default: one per organisation and registered commune). */
  points?: number;
  months?: number;
  seed?: number;
}

export interface AgencyProvince {
  communes: string[];
  communeNames: Record<string, string>;
  organisations: Organisation[];
  collectors: (Collector | Record<string, unknown>)[];
  points: (CollectionPoint | Record<string, unknown>)[];
  participants: Participant[];
  enrolments: Enrolment[];
  /** What was planted, for the tests and the demo's explanation. */
  planted: {
    inactiveCollectors: string[];
    nearMissCollector: string;
    sharedNationalId: { nationalId: string; organisations: string[] };
    outsideCommune: { organisationCode: string; commune: string };
    foreignRenewals: { organisationCode: string; managedBy: string; participantIds: string[] };
    communesWithoutPoint: string[];
    pointsWithoutSignboard: string[];
    underTarget: string[];
    badRecords: { collectorId: string; pointId: string; enrolmentId: string };
    contractReviews: { sixMonthly: string; ending: string };
  };
}

const COMMUNE_NAMES = [
  'Phường Xuân Hương – Đà Lạt',
  'Phường Lâm Viên – Đà Lạt',
  'Phường Cam Ly – Đà Lạt',
  'Phường Lang Biang – Đà Lạt',
  'Phường 1 Bảo Lộc',
  "Phường B'Lao",
  'Xã Đức Trọng',
  'Xã Di Linh',
  'Xã Đinh Văn Lâm Hà',
  'Xã Đơn Dương',
  'Xã Hiệp Thạnh',
  'Xã Tà Năng',
  'Xã Đà Loan',
  'Xã Ninh Gia',
  'Xã Tân Hội',
  'Xã Phú Sơn',
  'Xã Nam Ban',
  'Xã Đạ Đờn',
  'Xã Phúc Thọ',
  'Xã Tân Hà',
  'Xã Đinh Trang Thượng',
  'Xã Bảo Thuận',
  'Xã Gia Hiệp',
  'Xã Sơn Điền',
  'Xã Lộc Bảo',
  'Xã Lộc Bắc',
  'Xã Lộc Thành',
  'Xã Lộc Ngãi',
  'Xã Đạ Huoai',
  'Xã Đạ Tẻh',
  'Xã Cát Tiên',
  'Xã Quảng Lập',
  'Xã Ka Đô',
  'Xã Lạc Dương',
  'Xã Đam Rông',
  'Xã Phi Liêng',
  'Xã Đạ Sar',
  'Xã Tân Thanh',
  'Xã Mê Linh',
  'Xã Hòa Ninh',
];
const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Vũ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương'];
const MIDDLE = ['Văn', 'Thị', 'Minh', 'Ngọc', 'Đức', 'Thu', 'Quang', 'Hồng'];
const GIVEN = [
  'An',
  'Bình',
  'Chi',
  'Dũng',
  'Giang',
  'Hà',
  'Hải',
  'Hoa',
  'Khánh',
  'Lan',
  'Long',
  'Mai',
  'Nam',
  'Phúc',
  'Quỳnh',
  'Sơn',
  'Tâm',
  'Trang',
  'Tuấn',
  'Yến',
];
const ORG_KINDS = [
  'Bưu điện',
  'Hợp tác xã dịch vụ',
  'Công ty TNHH dịch vụ thu',
  'Hội Nông dân',
  'Hội Phụ nữ',
];

const pad = (n: number, width: number) => String(n).padStart(width, '0');

export function generateAgencyProvince(options: AgencyProvinceOptions): AgencyProvince {
  const random = mulberry32(options.seed ?? 1362);
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const person = () => `${pick(FAMILY)} ${pick(MIDDLE)} ${pick(GIVEN)}`;
  const orgCount = options.organisations ?? 20;
  const collectorCount = options.collectors ?? 300;
  const communeCount = options.communes ?? 40;
  const participantCount = options.participants ?? 10_000;
  const months = options.months ?? 12;
  const lastMonth = addMonths(options.asOf.slice(0, 7), -1);
  const firstMonth = addMonths(lastMonth, -(months - 1));

  const communes = Array.from({ length: communeCount }, (_, i) => `XA${pad(i + 1, 4)}`);
  const communeNames = Object.fromEntries(
    communes.map((code, i) => [
      code,
      COMMUNE_NAMES[i % COMMUNE_NAMES.length]! +
        (i >= COMMUNE_NAMES.length ? ` ${Math.floor(i / COMMUNE_NAMES.length) + 1}` : ''),
    ]),
  );
  // The last two communes get no collection point (and nobody registers for them).
  const withoutPoint = communes.slice(-2);
  const servable = communes.slice(0, -2);

  const orgCode = (i: number) => `TCDV${pad(i + 1, 3)}`;
  const underTarget = [orgCode(1), orgCode(4), orgCode(10 % orgCount)].filter(
    (c, i, all) => all.indexOf(c) === i,
  );
  // Contracts: 13 months old and ending next year (no review due this month), but for two planted ones:
  // one six months into its contract this month, one ending within 60 days.
  const sixMonthly = orgCode(12 % orgCount);
  const ending = orgCode(6 % orgCount);
  const contractOf = (i: number) => ({
    start: orgCode(i) === sixMonthly ? `${addMonths(lastMonth, -5)}-01` : `${addMonths(lastMonth, -13)}-01`,
    end: orgCode(i) === ending ? addDays(options.asOf, 45) : `${Number(options.asOf.slice(0, 4)) + 1}-06-30`,
  });
  const organisations: Organisation[] = Array.from({ length: orgCount }, (_, i) => {
    // Round robin first, so every commune but the two left out has an organisation (and a point).
    const registered = new Set<string>(servable.filter((_, c) => c % orgCount === i % orgCount));
    if (registered.size === 0) registered.add(servable[i % servable.length]!);
    while (registered.size < Math.min(int(2, 4), servable.length)) registered.add(pick(servable));
    return {
      code: orgCode(i),
      name: `${pick(ORG_KINDS)} ${communeNames[[...registered][0]!]!.replace(/^(Xã|Phường) /, '')}`,
      email: `tochuc${pad(i + 1, 3)}@dichvuthu-demo.vn`,
      communes: [...registered].sort(),
      contract: contractOf(i),
      // Set so an organisation working normally meets them; the planted weak ones miss the renewals.
      targets: {
        weekly: { newBhxh: 1, newBhyt: 1, renewals: 2 },
        monthly: { newBhxh: 8, newBhyt: 4, renewals: 12 },
        quarterly: { newBhxh: 24, newBhyt: 12, renewals: 36 },
      },
      collectorMonthlyTarget: { newParticipants: 2 },
      // The demo's supervisor manages the organisations and approves decisions about them.
      officerId: 'TP01',
    };
  });

  const collectors: Collector[] = Array.from({ length: collectorCount }, (_, i) => ({
    collectorId: `NVT${pad(i + 1, 5)}`,
    nationalId: `0${pad(68_000_000_000 + i * 7919, 11)}`.slice(-12),
    name: person(),
    organisationCode: orgCode(i % orgCount),
    registeredAt: `${Number(firstMonth.slice(0, 4)) - 1}-${pad(int(1, 12), 2)}-${pad(int(1, 28), 2)}`,
    pointIds: [],
  }));
  const byOrg = groupBy(collectors, (c) => c.organisationCode);

  const points: CollectionPoint[] = [];
  const pointTarget = options.points;
  for (const org of organisations) {
    for (const commune of org.communes) {
      points.push({
        pointId: `DT${pad(points.length + 1, 6)}`,
        organisationCode: org.code,
        commune,
        address: `Thôn ${int(1, 9)}`,
        signboard: true,
      });
    }
  }
  while (pointTarget !== undefined && points.length < pointTarget) {
    const org = organisations[points.length % orgCount]!;
    points.push({
      pointId: `DT${pad(points.length + 1, 6)}`,
      organisationCode: org.code,
      commune: pick(org.communes),
      address: `Thôn ${int(1, 9)}`,
      signboard: true,
    });
  }
  const pointsWithoutSignboard = [points[2]!, points[7 % points.length]!, points[11 % points.length]!].map(
    (p) => p.pointId,
  );
  for (const point of points) if (pointsWithoutSignboard.includes(point.pointId)) point.signboard = false;
  // Each collector works at one of the organisation's points.
  const pointsOf = groupBy(points, (point) => point.organisationCode);
  collectors.forEach((collector, i) => {
    const mine = pointsOf.get(collector.organisationCode) ?? [];
    if (mine.length) collector.pointIds = [mine[i % mine.length]!.pointId];
  });

  const participants: Participant[] = Array.from({ length: participantCount }, (_, i) => {
    const org = organisations[i % orgCount]!;
    const base = {
      participantId: `NTG${pad(i + 1, 7)}`,
      name: person(),
      managedBy: org.code,
      commune: pick(org.communes),
    };
    if (random() < 0.6) {
      const paymentMode = pick([1, 1, 1, 3, 3, 6, 12] as const);
      return { ...base, product: 'BHXH_TN', paymentMode, paidThrough: addMonths(lastMonth, int(-3, 2)) };
    }
    return { ...base, product: 'BHYT_HGD', cardExpiry: addDays(`${lastMonth}-01`, int(-20, 360)) };
  });
  const participantsOf = new Map<string, Participant[]>();
  for (const p of participants)
    participantsOf.set(p.managedBy, [...(participantsOf.get(p.managedBy) ?? []), p]);

  // Planted collectors: three with no new participant for 7 months (renewals only), one near miss at 5.
  const inactiveCollectors = [
    byOrg.get(orgCode(2))![0]!,
    byOrg.get(orgCode(5 % orgCount))![1]!,
    byOrg.get(orgCode(8 % orgCount))![0]!,
  ].map((c) => c.collectorId);
  const nearMissCollector = byOrg.get(orgCode(2))![1]!.collectorId;
  const quietFrom: Record<string, string> = {
    ...Object.fromEntries(inactiveCollectors.map((id) => [id, addMonths(lastMonth, -6)])),
    [nearMissCollector]: addMonths(lastMonth, -4),
  };

  const enrolments: Enrolment[] = [];
  const enrol = (e: Omit<Enrolment, 'enrolmentId'>) =>
    enrolments.push({ enrolmentId: `GD${pad(enrolments.length + 1, 8)}`, ...e });
  for (let month = firstMonth; month <= lastMonth; month = addMonths(month, 1)) {
    const days = Number(lastDayOf(month).slice(8, 10));
    for (const org of organisations) {
      const weak = underTarget.includes(org.code);
      const mine = participantsOf.get(org.code) ?? [];
      for (const collector of byOrg.get(org.code) ?? []) {
        const quiet = quietFrom[collector.collectorId];
        const newCount = quiet && month >= quiet ? 0 : weak ? 1 : int(1, 3);
        const renewalCount = weak ? int(0, 1) : int(1, 2);
        for (let n = 0; n < newCount + renewalCount; n++) {
          const participant = pick(mine);
          enrol({
            participantId: participant.participantId,
            product: participant.product,
            kind: n < newCount ? 'NEW' : 'RENEWAL',
            collectorId: collector.collectorId,
            organisationCode: org.code,
            commune: participant.commune,
            date: `${month}-${pad(int(1, days), 2)}`,
          });
        }
      }
    }
  }

  // One person registered as a collector with two organisations (same national ID).
  const sharedA = byOrg.get(orgCode(3 % orgCount))![2]!;
  const sharedB = byOrg.get(orgCode(7 % orgCount))![2]!;
  sharedB.nationalId = sharedA.nationalId;

  // An organisation collecting in a commune it did not register for.
  const outsider = organisations[5 % orgCount]!;
  const foreignCommune = servable.find((c) => !outsider.communes.includes(c))!;
  for (let n = 0; n < 3; n++) {
    const participant = pick(participantsOf.get(outsider.code)!);
    enrol({
      participantId: participant.participantId,
      product: participant.product,
      kind: 'NEW',
      collectorId: byOrg.get(outsider.code)![3]!.collectorId,
      organisationCode: outsider.code,
      commune: foreignCommune,
      date: `${lastMonth}-1${n}`,
    });
  }

  // Renewals solicited by one organisation among another's participants.
  const poacher = organisations[9 % orgCount]!;
  const victim = organisations[2 % orgCount]!;
  const poached = (participantsOf.get(victim.code) ?? []).slice(0, 2);
  for (const participant of poached) {
    enrol({
      participantId: participant.participantId,
      product: participant.product,
      kind: 'RENEWAL',
      collectorId: byOrg.get(poacher.code)![0]!.collectorId,
      organisationCode: poacher.code,
      // Collected at the poacher's own point: the breach is whose participant it is, not where.
      commune: poacher.communes[0]!,
      date: `${lastMonth}-20`,
    });
  }

  // Bad records: set aside by the review with their reason, the rest goes on.
  const badCollector = {
    ...collectors[0]!,
    collectorId: 'NVT-THIEU-CCCD',
    nationalId: '',
    name: 'Thiếu CCCD',
  };
  const badPoint = { pointId: 'DT-XA-LA', organisationCode: orgCode(0), commune: 'XA9999', signboard: true };
  const future = `${addDays(options.asOf, 10)}`;
  const badEnrolmentId = 'GD-TUONG-LAI';

  return {
    communes,
    communeNames,
    organisations,
    collectors: [...collectors, badCollector],
    points: [...points, badPoint],
    participants,
    enrolments: [...enrolments, { ...enrolments[0]!, enrolmentId: badEnrolmentId, date: future }],
    planted: {
      inactiveCollectors,
      nearMissCollector,
      sharedNationalId: {
        nationalId: sharedA.nationalId,
        organisations: [sharedA.organisationCode, sharedB.organisationCode].sort(),
      },
      outsideCommune: { organisationCode: outsider.code, commune: foreignCommune },
      foreignRenewals: {
        organisationCode: poacher.code,
        managedBy: victim.code,
        participantIds: poached.map((p) => p.participantId),
      },
      communesWithoutPoint: withoutPoint,
      pointsWithoutSignboard,
      underTarget,
      badRecords: {
        collectorId: badCollector.collectorId,
        pointId: badPoint.pointId,
        enrolmentId: badEnrolmentId,
      },
      contractReviews: { sixMonthly, ending },
    },
  };
}
