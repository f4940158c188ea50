/**
 * The demo catalog a newcomer explores on a fresh development database: an
 * industrial supplier's range. Every product is an item in one of its sizes
 * or packs, so a dozen categories give a few hundred realistic products,
 * always the same ones (the SKU makes seeding idempotent).
 */
export interface DemoCategory {
  name: string;
  slug: string;
  parentSlug?: string;
  skuPrefix: string;
  /** Name, description and the price of the first variant, in cents. */
  items: readonly (readonly [name: string, description: string, priceCents: number])[];
  /** Variant label and its price factor. */
  variants: readonly (readonly [label: string, factor: number])[];
}

const PACKS = [
  ['pack of 10', 1],
  ['pack of 50', 4.5],
  ['pack of 100', 8.5],
  ['pack of 500', 38],
] as const;

const SIZES = [
  ['small', 1],
  ['medium', 1.35],
  ['large', 1.8],
  ['extra large', 2.4],
] as const;

export const DEMO_CATEGORIES: readonly DemoCategory[] = [
  { name: 'Fasteners', slug: 'fasteners', skuPrefix: 'FAS', items: [], variants: [] },
  {
    name: 'Bolts & Screws',
    slug: 'bolts-screws',
    parentSlug: 'fasteners',
    skuPrefix: 'BLT',
    items: [
      ['Hex Bolt M8x40 Zinc-Plated', 'Grade 8.8 steel hex bolt, DIN 933, fully threaded.', 450],
      ['Hex Bolt M10x60 Stainless A2', 'A2-70 stainless hex bolt for outdoor and damp locations.', 890],
      ['Socket Cap Screw M6x25', 'Grade 12.9 alloy steel, black oxide, DIN 912.', 520],
      ['Wood Screw 4x40 Countersunk', 'Yellow zinc, Pozidriv head, partial thread.', 310],
      ['Self-Tapping Screw 4.2x19', 'Pan head sheet metal screw with Phillips drive.', 280],
      ['Carriage Bolt M10x80', 'Dome head with square neck, hot-dip galvanized.', 970],
    ],
    variants: PACKS,
  },
  {
    name: 'Nuts & Washers',
    slug: 'nuts-washers',
    parentSlug: 'fasteners',
    skuPrefix: 'NUT',
    items: [
      ['Hex Nut M8 Zinc-Plated', 'Class 8 steel hex nut, DIN 934.', 190],
      ['Nylon Lock Nut M10', 'Nylon insert prevents loosening under vibration, DIN 985.', 340],
      ['Flat Washer M8', 'Form A steel washer, DIN 125.', 120],
      ['Spring Washer M10', 'Split lock washer, DIN 127 B.', 150],
      ['Wing Nut M6', 'Hand-tightened, zinc-plated malleable iron.', 260],
    ],
    variants: PACKS,
  },
  { name: 'Tools', slug: 'tools', skuPrefix: 'TLS', items: [], variants: [] },
  {
    name: 'Hand Tools',
    slug: 'hand-tools',
    parentSlug: 'tools',
    skuPrefix: 'HTL',
    items: [
      ['Combination Spanner Set', 'Chrome vanadium steel, satin finish, in a roll-up pouch.', 3490],
      ['Torque Wrench 1/2"', 'Click-type, 40-210 Nm, calibrated to ±4 %.', 8900],
      ['Screwdriver Set, Insulated', 'VDE 1000 V tested, slotted and Phillips.', 4290],
      ['Claw Hammer 450 g', 'Forged steel head, fibreglass handle with anti-vibration grip.', 1890],
      ['Adjustable Wrench 250 mm', 'Jaw opening up to 30 mm, phosphate finish.', 1590],
      ['Hex Key Set, Ball End', 'Metric, 1.5-10 mm, in a folding holder.', 1290],
    ],
    variants: SIZES,
  },
  {
    name: 'Power Tools',
    slug: 'power-tools',
    parentSlug: 'tools',
    skuPrefix: 'PWR',
    items: [
      ['Cordless Drill Driver 18 V', 'Brushless motor, two speeds, 60 Nm, two 4 Ah batteries.', 18900],
      ['Angle Grinder 125 mm', '1100 W with restart protection and anti-kickback clutch.', 9900],
      ['Impact Driver 18 V', '1/4" hex chuck, 180 Nm, LED work light.', 15900],
      ['Jigsaw 650 W', 'Pendulum action, tool-free blade change, dust port.', 11900],
      ['Rotary Hammer SDS-Plus', '800 W, 2.7 J impact energy, three modes.', 16900],
    ],
    variants: [
      ['body only', 1],
      ['with 2 batteries', 1.6],
      ['kit in case', 1.9],
      ['pro kit with 3 batteries', 2.4],
    ],
  },
  {
    name: 'Safety Equipment',
    slug: 'safety-equipment',
    skuPrefix: 'SAF',
    items: [
      ['Safety Glasses, Anti-Fog', 'EN 166 certified, clear polycarbonate lens.', 690],
      ['Nitrile Work Gloves', 'Cut level B, touchscreen compatible fingertips.', 890],
      ['Hard Hat, Vented', 'EN 397, six-point suspension, ratchet adjustment.', 1990],
      ['Ear Defenders SNR 30', 'Padded headband, foldable.', 2490],
      ['High-Visibility Vest', 'EN ISO 20471 class 2, reflective tape.', 590],
      ['FFP3 Respirator Mask', 'Valved, individually wrapped.', 390],
    ],
    variants: [
      ['each', 1],
      ['box of 10', 9],
      ['case of 50', 42],
      ['pallet of 500', 390],
    ],
  },
  {
    name: 'Electrical',
    slug: 'electrical',
    skuPrefix: 'ELC',
    items: [
      ['Copper Cable 3x2.5 mm²', 'H07RN-F rubber flexible cable for site use.', 2990],
      ['Cable Ties 200 mm', 'UV-resistant black nylon 6.6.', 490],
      ['Wago Lever Connector 3-Way', 'For solid and stranded conductors up to 4 mm².', 1290],
      ['LED Work Light 50 W', 'IP65, 4500 lm, with stand.', 4990],
      ['Extension Reel 25 m', 'Four sockets, thermal cut-out.', 5490],
      ['Heat Shrink Tubing Kit', 'Assorted sizes, 2:1 shrink ratio.', 1490],
    ],
    variants: [
      ['single', 1],
      ['pack of 5', 4.6],
      ['pack of 20', 17],
      ['pack of 100', 80],
    ],
  },
  {
    name: 'Plumbing',
    slug: 'plumbing',
    skuPrefix: 'PLB',
    items: [
      ['Copper Pipe 15 mm', 'EN 1057 half-hard copper, 3 m length.', 1290],
      ['Compression Elbow 15 mm', 'Brass fitting with copper olives.', 390],
      ['Ball Valve 1/2"', 'Full bore, PN 25, lever handle.', 890],
      ['PTFE Thread Seal Tape', '12 mm x 12 m, WRAS approved.', 150],
      ['Flexible Tap Connector', '15 mm x 1/2", 300 mm braided hose.', 590],
    ],
    variants: [
      ['single', 1],
      ['pack of 10', 9.2],
      ['pack of 25', 21],
      ['pack of 100', 78],
    ],
  },
  {
    name: 'Adhesives & Sealants',
    slug: 'adhesives-sealants',
    skuPrefix: 'ADH',
    items: [
      ['Polyurethane Construction Adhesive', 'Gap filling, bonds wood, metal and stone, 310 ml.', 890],
      ['Silicone Sealant, Sanitary', 'Mould-resistant, white, 310 ml.', 690],
      ['Two-Part Epoxy', 'Five-minute set, 25 ml syringe.', 590],
      ['Threadlocker, Medium Strength', 'Removable with hand tools, 50 ml.', 1290],
      ['Expanding Foam', 'Gun grade, 750 ml.', 990],
    ],
    variants: [
      ['each', 1],
      ['box of 12', 11],
      ['box of 24', 21],
      ['pallet of 480', 390],
    ],
  },
  {
    name: 'Storage & Handling',
    slug: 'storage-handling',
    skuPrefix: 'STO',
    items: [
      ['Stackable Storage Bin', 'Polypropylene, front opening, label holder.', 490],
      ['Steel Shelving Unit', 'Five shelves, 175 kg per shelf, boltless.', 8900],
      ['Hand Truck 250 kg', 'Solid rubber wheels, nose plate 450 mm.', 7900],
      ['Tool Chest, Seven Drawers', 'Ball-bearing slides, central lock.', 24900],
      ['Pallet Wrap Film', '500 mm x 300 m, 23 micron, cast.', 1490],
    ],
    variants: SIZES,
  },
  {
    name: 'Abrasives',
    slug: 'abrasives',
    skuPrefix: 'ABR',
    items: [
      ['Flap Disc 125 mm P80', 'Zirconia, for steel and stainless.', 390],
      ['Cutting Disc 125x1.0 mm', 'Inox, thin kerf for fast cuts.', 190],
      ['Sanding Sheets P120', 'Aluminium oxide, 230x280 mm.', 90],
      ['Wire Cup Brush 75 mm', 'Crimped steel wire, M14 thread.', 890],
    ],
    variants: [
      ['pack of 10', 1],
      ['pack of 25', 2.3],
      ['pack of 100', 8.5],
      ['pack of 500', 39],
    ],
  },
  {
    name: 'Lubricants',
    slug: 'lubricants',
    skuPrefix: 'LUB',
    items: [
      ['Multi-Purpose Spray Lubricant', 'Penetrates, loosens and protects against corrosion.', 590],
      ['Lithium Grease EP2', 'High pressure, water resistant.', 890],
      ['Cutting Oil', 'For drilling and tapping steel.', 1190],
      ['Chain Lubricant', 'Adhesive, fling-resistant.', 790],
    ],
    variants: [
      ['400 ml', 1],
      ['1 litre', 2.1],
      ['5 litre', 8.9],
      ['20 litre', 31],
    ],
  },
];

export const DEMO_CURRENCY = 'EUR';
export const DEMO_TAX_RATE_BPS = 2000;
