/**
 * A billing address as the customer's country writes it (the post office reads it that way):
 *   US         Austin, TX 78701            (city, comma, state, postal code on one line)
 *   Canada,    Ottawa ON K1A 0B1           (no comma; Australia alike)
 *   Australia
 *   UK         London / Greater London / SW1A 1AA   (post town, county, postcode: one line each)
 *   postcode-first countries (most of continental Europe, Latin America): 10115 Berlin, region below
 *   anyone else: City, Region PostalCode  (the international form most software prints)
 * The country comes last, on its own line. Pure: the customer page and its tests call it.
 */
export interface AddressParts {
  billingLine1: string;
  billingCity: string;
  billingRegion: string;
  billingPostalCode: string;
  billingCountry: string;
}

type Style = 'us' | 'ca' | 'uk' | 'postcode-first' | 'default';

const STYLES: Record<string, Style> = {
  us: 'us',
  usa: 'us',
  'united states': 'us',
  'united states of america': 'us',
  ca: 'ca',
  can: 'ca',
  canada: 'ca',
  au: 'ca',
  aus: 'ca',
  australia: 'ca',
  uk: 'uk',
  gb: 'uk',
  gbr: 'uk',
  'united kingdom': 'uk',
  'great britain': 'uk',
  england: 'uk',
  scotland: 'uk',
  wales: 'uk',
  'northern ireland': 'uk',
};

const POSTCODE_FIRST = [
  'de deu germany deutschland',
  'fr fra france',
  'es esp spain españa',
  'it ita italy italia',
  'nl nld netherlands nederland',
  'be bel belgium',
  'ch che switzerland',
  'at aut austria',
  'dk dnk denmark',
  'se swe sweden',
  'no nor norway',
  'fi fin finland',
  'pl pol poland',
  'pt prt portugal',
  'mx mex mexico',
  'br bra brazil',
  'ar arg argentina',
]
  .join(' ')
  .split(' ');

export function addressStyle(country: string): Style {
  const key = country.trim().toLowerCase().replace(/\./g, '');
  if (STYLES[key]) return STYLES[key];
  if (POSTCODE_FIRST.includes(key)) return 'postcode-first';
  return 'default';
}

function join(parts: string[], separator = ' '): string {
  return parts.filter(Boolean).join(separator);
}

/** The address lines in the country's order, blank parts left out; [] when there is no address. */
export function addressLines(a: AddressParts): string[] {
  const [line1, city, region, postal, country] = [
    a.billingLine1,
    a.billingCity,
    a.billingRegion,
    a.billingPostalCode,
    a.billingCountry,
  ].map((p) => (p ?? '').trim());
  let locality: string[];
  switch (addressStyle(country)) {
    case 'us':
      locality = [join([join([city], ''), join([region, postal])], ', ')];
      break;
    case 'ca':
      locality = [join([city, region, postal])];
      break;
    case 'uk':
      locality = [city, region, postal];
      break;
    case 'postcode-first':
      locality = [join([postal, city]), region];
      break;
    default:
      locality = [join([city, join([region, postal])], ', ')];
  }
  return [line1, ...locality, country].filter(Boolean);
}
