// `prisma dev` is not supported here: the real package needs Node 22 and Bun. The gateway has its own embedded PostgreSQL.
export async function startLocalDurableStreamsServer() {
  throw new Error('prisma dev is not supported by this project on Node 20 (see package.json "overrides"); npm start has its own embedded PostgreSQL.');
}
