import { expect } from 'chai';
import { type AddressParts, addressLines } from '../../src/customers/address.js';

function address(p: Partial<AddressParts>): AddressParts {
  return {
    billingLine1: '',
    billingCity: '',
    billingRegion: '',
    billingPostalCode: '',
    billingCountry: '',
    ...p,
  };
}

describe('addressLines (customers/address.ts)', () => {
  const cases: [string, Partial<AddressParts>, string[]][] = [
    [
      'US: city, state ZIP',
      {
        billingLine1: '500 Congress Ave',
        billingCity: 'Austin',
        billingRegion: 'TX',
        billingPostalCode: '78701',
        billingCountry: 'USA',
      },
      ['500 Congress Ave', 'Austin, TX 78701', 'USA'],
    ],
    [
      'US without a state',
      { billingCity: 'Austin', billingPostalCode: '78701', billingCountry: 'US' },
      ['Austin, 78701', 'US'],
    ],
    ['US city only', { billingCity: 'Austin', billingCountry: 'United States' }, ['Austin', 'United States']],
    [
      'Canada: city province postal code',
      { billingCity: 'Ottawa', billingRegion: 'ON', billingPostalCode: 'K1A 0B1', billingCountry: 'Canada' },
      ['Ottawa ON K1A 0B1', 'Canada'],
    ],
    [
      'UK: town, county and postcode on their own lines',
      {
        billingLine1: '10 Downing St',
        billingCity: 'London',
        billingRegion: 'Greater London',
        billingPostalCode: 'SW1A 2AA',
        billingCountry: 'United Kingdom',
      },
      ['10 Downing St', 'London', 'Greater London', 'SW1A 2AA', 'United Kingdom'],
    ],
    [
      'Germany: postcode before the city',
      {
        billingLine1: 'Unter den Linden 1',
        billingCity: 'Berlin',
        billingPostalCode: '10117',
        billingCountry: 'Germany',
      },
      ['Unter den Linden 1', '10117 Berlin', 'Germany'],
    ],
    [
      'an unknown country: city, region postal code',
      { billingCity: 'Singapore', billingPostalCode: '018956', billingCountry: 'Singapore' },
      ['Singapore, 018956', 'Singapore'],
    ],
    [
      'no country: the default order',
      { billingCity: 'Austin', billingRegion: 'TX', billingPostalCode: '78701' },
      ['Austin, TX 78701'],
    ],
    ['nothing at all', {}, []],
  ];
  for (const [name, parts, lines] of cases) {
    it(name, () => expect(addressLines(address(parts))).to.deep.equal(lines));
  }
});
