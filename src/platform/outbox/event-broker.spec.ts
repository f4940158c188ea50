import { natsConnectionOptions } from './event-broker';

describe('natsConnectionOptions', () => {
  it('passes a user and password apart from the server address (NATS refuses them inside it)', () => {
    expect(natsConnectionOptions('nats://orders:s%3Acret@broker.internal:4222')).toMatchObject({
      servers: 'nats://broker.internal:4222',
      user: 'orders',
      pass: 's:cret',
    });
  });

  it('takes a user without a password for a token', () => {
    const options = natsConnectionOptions('nats://t0ken@broker.internal:4222');
    expect(options).toMatchObject({ servers: 'nats://broker.internal:4222', token: 't0ken' });
    expect(options).not.toHaveProperty('user');
  });

  it('leaves an address without credentials as it is', () => {
    const options = natsConnectionOptions('nats://127.0.0.1:4222');
    expect(options.servers).toBe('nats://127.0.0.1:4222');
    expect(options).not.toHaveProperty('user');
    expect(options).not.toHaveProperty('token');
  });
});
