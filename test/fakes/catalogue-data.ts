/** Word pools and fixed entries for the fake catalogue. All titles and names are invented. */

export const GENRES = [
  { id: 28, name: 'Action' },
  { id: 12, name: 'Adventure' },
  { id: 16, name: 'Animation' },
  { id: 35, name: 'Comedy' },
  { id: 80, name: 'Crime' },
  { id: 99, name: 'Documentary' },
  { id: 18, name: 'Drama' },
  { id: 10751, name: 'Family' },
  { id: 14, name: 'Fantasy' },
  { id: 36, name: 'History' },
  { id: 27, name: 'Horror' },
  { id: 10402, name: 'Music' },
  { id: 9648, name: 'Mystery' },
  { id: 10749, name: 'Romance' },
  { id: 878, name: 'Science Fiction' },
  { id: 53, name: 'Thriller' },
  { id: 10752, name: 'War' },
  { id: 37, name: 'Western' },
] as const;

export const COUNTRY_NAMES: Readonly<Record<string, string>> = {
  US: 'United States of America',
  GB: 'United Kingdom',
  FR: 'France',
  DE: 'Germany',
  JP: 'Japan',
  KR: 'South Korea',
  ES: 'Spain',
  MX: 'Mexico',
  IT: 'Italy',
  SE: 'Sweden',
  CA: 'Canada',
};

/** Production country (and the region used for iso_3166_1 on images) for each original language. */
export const LANGUAGE_COUNTRY: Readonly<Record<string, string>> = {
  en: 'US',
  fr: 'FR',
  de: 'DE',
  ja: 'JP',
  ko: 'KR',
  es: 'ES',
  it: 'IT',
  sv: 'SE',
};

export const LANGUAGE_NAMES: Readonly<Record<string, { english_name: string; name: string }>> = {
  en: { english_name: 'English', name: 'English' },
  fr: { english_name: 'French', name: 'Français' },
  de: { english_name: 'German', name: 'Deutsch' },
  ja: { english_name: 'Japanese', name: '日本語' },
  ko: { english_name: 'Korean', name: '한국어/조선말' },
  es: { english_name: 'Spanish', name: 'Español' },
  it: { english_name: 'Italian', name: 'Italiano' },
  sv: { english_name: 'Swedish', name: 'svenska' },
};

export const CERTIFICATIONS: Readonly<Record<string, ReadonlyArray<readonly [string, number]>>> = {
  US: [
    ['G', 1],
    ['PG', 3],
    ['PG-13', 5],
    ['R', 5],
    ['NR', 1],
    ['', 2],
  ],
  GB: [
    ['U', 1],
    ['PG', 3],
    ['12A', 4],
    ['15', 4],
    ['18', 2],
  ],
  DE: [
    ['0', 1],
    ['6', 2],
    ['12', 4],
    ['16', 3],
    ['18', 1],
  ],
  FR: [
    ['', 3],
    ['U', 3],
    ['12', 2],
    ['16', 1],
  ],
  JP: [
    ['G', 3],
    ['PG12', 2],
    ['R15+', 1],
  ],
  KR: [
    ['All', 1],
    ['12', 2],
    ['15', 3],
    ['18', 1],
  ],
  ES: [
    ['A', 1],
    ['7', 2],
    ['12', 3],
    ['16', 2],
  ],
  IT: [
    ['T', 3],
    ['VM14', 1],
  ],
  SE: [
    ['Btl', 1],
    ['7', 1],
    ['11', 2],
    ['15', 2],
  ],
};

export interface AnchorMovie {
  title: string;
  originalTitle?: string;
  language: string;
  year: number;
  collection?: string;
  noImages?: boolean;
  fanart?: boolean;
  exactDuplicate?: boolean;
  tinyPoster?: boolean;
  adult?: boolean;
  genres: number[];
}

/**
 * The first movies of every catalogue, so tests can rely on the awkward cases existing
 * (accents, colons, apostrophes, numeric titles, a sequel chain, a remake pair, foreign originals).
 */
export const ANCHORS: readonly AnchorMovie[] = [
  {
    title: 'The Lighthouse Keeper',
    language: 'en',
    year: 2008,
    fanart: true,
    exactDuplicate: true,
    genres: [18, 9648],
  },
  {
    title: "Amélie's Garden",
    originalTitle: "Le Jardin d'Amélie",
    language: 'fr',
    year: 2001,
    fanart: true,
    genres: [35, 10749],
  },
  { title: '1943', language: 'en', year: 2017, fanart: true, genres: [10752, 18, 36] },
  {
    title: 'Harbor Lights',
    language: 'en',
    year: 1994,
    collection: 'Harbor Lights Collection',
    fanart: true,
    genres: [80, 53],
  },
  { title: 'Harbor Lights 2', language: 'en', year: 1997, collection: 'Harbor Lights Collection', genres: [80, 53] },
  {
    title: 'Harbor Lights: Homecoming',
    language: 'en',
    year: 2003,
    collection: 'Harbor Lights Collection',
    genres: [80, 18],
  },
  { title: 'The Long Night', language: 'en', year: 1962, genres: [27, 9648] },
  { title: 'The Long Night', language: 'en', year: 2019, fanart: true, genres: [27, 53] },
  {
    title: 'Spirit of the Lantern',
    originalTitle: '灯籠の精',
    language: 'ja',
    year: 2005,
    fanart: true,
    genres: [16, 14, 10751],
  },
  { title: 'The Quiet Border', originalTitle: 'Die stille Grenze', language: 'de', year: 2012, genres: [18, 36] },
  { title: 'Señora Núñez', language: 'es', year: 2015, genres: [35, 18] },
  { title: "Don't Wake the Neighbours", language: 'en', year: 1988, tinyPoster: true, genres: [35] },
  {
    title: 'Midnight Market',
    originalTitle: '한밤의 시장',
    language: 'ko',
    year: 2020,
    fanart: true,
    genres: [53, 80],
  },
  { title: 'Zoë & the Machine', language: 'en', year: 2022, genres: [878, 10751] },
  { title: 'Untitled Workshop Short', language: 'en', year: 2024, noImages: true, genres: [99] },
  {
    title: 'Project Ultraviolet: Part II',
    language: 'en',
    year: 2011,
    collection: 'Project Ultraviolet Collection',
    genres: [28, 878],
  },
];

export const ADJECTIVES = [
  'Silent',
  'Crimson',
  'Last',
  'Hidden',
  'Broken',
  'Golden',
  'Frozen',
  'Electric',
  'Distant',
  'Wild',
  'Quiet',
  'Endless',
  'Burning',
  'Hollow',
  'Midnight',
  'Paper',
  'Iron',
  'Velvet',
  'Secret',
  'Lost',
  'Northern',
  'Bitter',
  'Glass',
  'Sleeping',
  'Restless',
] as const;

export const NOUNS = [
  'River',
  'Kingdom',
  'Signal',
  'Orchard',
  'Frontier',
  'Harvest',
  'Empire',
  'Mirror',
  'Station',
  'Garden',
  'Machine',
  'Summer',
  'Tide',
  'Compass',
  'Horizon',
  'Witness',
  'Lantern',
  'Circuit',
  'Canyon',
  'Archive',
  'Promise',
  'Engine',
  'Shore',
  'Verdict',
  'Carnival',
] as const;

export const PLACES = [
  'Avalon',
  'the North',
  'Marrow Creek',
  'Saint-Clair',
  'Kyoto',
  'the Deep',
  'Old Town',
  'Lisbon',
  'Østerby',
] as const;

export const FIRST_NAMES = [
  'Ellie',
  'Marcus',
  'Zoë',
  'Jonah',
  'Inés',
  'Tomás',
  'Greta',
  'Malik',
  'Søren',
  'Chloé',
  'Björn',
  'Aiko',
  'Priya',
  'Mateo',
  'Hana',
  'Oliver',
  'Nadia',
  'Ruth',
  'Kwame',
  'Élodie',
  'Jun-ho',
  'Lucía',
  'Dmitri',
  'Freya',
  'Samuel',
  'Yuki',
  'Amara',
  'Felix',
  'Rosa',
  'Theo',
] as const;

export const LAST_NAMES = [
  'Whitfield',
  'Okafor',
  'Lindqvist',
  'Moreau',
  'Tanaka',
  'Fernández',
  'Kowalski',
  'Brennan',
  'Nakamura',
  'Schäfer',
  'Castillo',
  'Park',
  'Haddad',
  'Novak',
  'Ellison',
  "O'Connell",
  'Dubois',
  'Rossi',
  'Svensson',
  'Müller',
  'Iyer',
  'Adeyemi',
  'Hartley',
  'Kim',
  'García',
  'Whitaker',
  'Lefèvre',
  'Sato',
  'Quinn',
  'Bergström',
] as const;

export const SUBTITLES = [
  'Redemption',
  'Origins',
  'The Reckoning',
  'Dawn',
  'Legacy',
  'Aftermath',
  'First Light',
  'Requiem',
] as const;

export const ROMAN = ['II', 'III', 'IV'] as const;

export const FOREIGN_TITLES: ReadonlyArray<{ language: string; title: string; originalTitle: string }> = [
  { language: 'fr', title: 'The Blue Door', originalTitle: 'La Porte bleue' },
  { language: 'fr', title: 'Winter Bakery', originalTitle: "La Boulangerie d'hiver" },
  { language: 'de', title: 'The Glass Forest', originalTitle: 'Der gläserne Wald' },
  { language: 'ja', title: 'Summer Crossing', originalTitle: '夏の踏切' },
  { language: 'ko', title: 'Salt Road', originalTitle: '소금길' },
  { language: 'es', title: 'The Mango Year', originalTitle: 'El año del mango' },
  { language: 'it', title: 'The Bell Tower', originalTitle: 'Il campanile' },
  { language: 'sv', title: 'Snow Island', originalTitle: 'Snöön' },
];

export const STUDIOS = [
  { id: 91001, name: 'Northlight Pictures', originCountry: 'US' },
  { id: 91002, name: 'Blue Harbor Films', originCountry: 'US' },
  { id: 91003, name: 'Studio Kaze', originCountry: 'JP' },
  { id: 91004, name: 'Meridian Entertainment', originCountry: 'GB' },
  { id: 91005, name: 'Cinéfrance Productions', originCountry: 'FR' },
  { id: 91006, name: 'Rheinfilm', originCountry: 'DE' },
  { id: 91007, name: 'Hanbit Media', originCountry: 'KR' },
  { id: 91008, name: 'Estudios Sol', originCountry: 'ES' },
  { id: 91009, name: 'Paper Crane Animation', originCountry: 'JP' },
  { id: 91010, name: 'Lakeside & Vane', originCountry: 'US' },
  { id: 91011, name: 'Nordljus Film', originCountry: 'SE' },
  { id: 91012, name: 'Campanile Cinema', originCountry: 'IT' },
] as const;

export const KEYWORDS = [
  'based on novel or book',
  'heist',
  'time travel',
  'small town',
  'coming of age',
  'lighthouse',
  'dystopia',
  'revenge',
  'friendship',
  'sequel',
  'remake',
  'road trip',
  'island',
  'winter',
  'musician',
  'family secrets',
] as const;

export const TAGLINES = [
  'Some doors should stay closed.',
  'Every light casts a shadow.',
  'The truth has a long memory.',
  'One night. No way back.',
  'Home is where the trouble is.',
  'Nothing stays buried forever.',
  'Not all heroes wear capes — some wear aprons.',
  'The end is only the beginning.',
  '',
] as const;

export const OVERVIEW_EVENTS = [
  'finds a letter that was never meant to be delivered',
  'inherits a crumbling seaside hotel',
  'witnesses something impossible on the night train',
  'loses everything in a single card game',
  'receives a signal from a station that closed decades ago',
  'returns home after twenty years away',
] as const;

export const OVERVIEW_GOALS = [
  'uncover a family secret',
  'outwit a rival who knows every move',
  'keep a promise made long ago',
  'repair a friendship before it is too late',
  'find the one person who can explain it',
] as const;

export const CHARACTER_EXTRAS = [
  'Himself',
  'Narrator (voice)',
  'Officer #2',
  'Waitress',
  'The Stranger',
  'Young Girl',
] as const;
