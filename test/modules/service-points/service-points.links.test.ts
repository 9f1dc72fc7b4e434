import { describe, expect, it } from 'vitest';
import { derivedToken, isTokenShape } from '../../../src/lib/tokens.js';
import {
  servicePointToken,
  servicePointUrl,
} from '../../../src/modules/service-points/service-points.links.js';

const SECRET = 'a-link-secret-of-at-least-thirty-two-characters';

describe("a service point's link", () => {
  it('is derived from the secret and the salt under the service-point label', () => {
    const token = servicePointToken(SECRET, 'abc123');
    expect(token).toBe(derivedToken(SECRET, 'service-point:abc123'));
    expect(token).not.toBe(derivedToken(SECRET, 'abc123'));
    expect(isTokenShape(token)).toBe(true);
  });

  it('is the same every time, and differs by salt and by secret', () => {
    expect(servicePointToken(SECRET, 'salt-1')).toBe(servicePointToken(SECRET, 'salt-1'));
    expect(servicePointToken(SECRET, 'salt-1')).not.toBe(servicePointToken(SECRET, 'salt-2'));
    expect(servicePointToken(SECRET, 'salt-1')).not.toBe(servicePointToken(`${SECRET}!`, 'salt-1'));
  });

  it('opens the walk-up page under the public address', () => {
    expect(servicePointUrl('https://feedback.example.org', 'AbCdEfGhIjKlMnOpQrStUvWx')).toBe(
      'https://feedback.example.org/s/AbCdEfGhIjKlMnOpQrStUvWx',
    );
  });
});
