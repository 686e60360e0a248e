import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Lower case without the accents of the Latin alphabets, so that "bogota" finds "Bogotá".
    -- translate() rather than the unaccent extension: IMMUTABLE, and no CREATE EXTENSION
    -- privilege asked of the deployment's database user. Callers fold NFC text (the API does).
    CREATE FUNCTION showcase.fold(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN
      lower(translate($1,
        'ÁÀÂÄÃÅĀĂĄáàâäãåāăąÉÈÊËĒĖĘĚéèêëēėęěÍÌÎÏĪĮíìîïīįÓÒÔÖÕØŌŐóòôöõøōőÚÙÛÜŪŮŰŲúùûüūůűųÑŃŇñńňÇĆČçćčÝŸýÿŠŚšśŽŹŻžźżĎďŁłŘřŤťĞğİı',
        'AAAAAAAAAaaaaaaaaaEEEEEEEEeeeeeeeeIIIIIIiiiiiiOOOOOOOOooooooooUUUUUUUUuuuuuuuuNNNnnnCCCcccYYyySSssZZZzzzDdLlRrTtGgIi'));

    CREATE TABLE showcase.users (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      first_name text NOT NULL,
      last_name text NOT NULL,
      -- Stored lower-cased: one account per address however it is typed.
      email text NOT NULL UNIQUE,
      city text,
      country text,
      password_hash text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );

    -- uploaded -> processing -> processed (or failed, with failure_reason) -> public. The files
    -- are videos/<id>/original.mp4 and, once processed, videos/<id>/processed.mp4 in storage.
    CREATE TABLE showcase.videos (
      id uuid PRIMARY KEY,
      owner_id integer NOT NULL REFERENCES showcase.users ON DELETE CASCADE,
      title text NOT NULL,
      status text NOT NULL DEFAULT 'uploaded'
        CHECK (status IN ('uploaded', 'processing', 'processed', 'failed', 'public')),
      failure_reason text,
      task_id uuid,
      original_bytes bigint NOT NULL,
      uploaded_at timestamptz NOT NULL DEFAULT now(),
      processed_at timestamptz,
      published_at timestamptz,
      -- Kept with each vote in the vote's transaction, so lists and rankings count no rows.
      votes integer NOT NULL DEFAULT 0
    );
    CREATE INDEX videos_owner ON showcase.videos (owner_id, uploaded_at DESC, id DESC);
    CREATE INDEX videos_public ON showcase.videos (published_at DESC, id DESC) WHERE status = 'public';

    -- One vote per user per video, by the key itself: concurrent votes cannot both land.
    CREATE TABLE showcase.votes (
      video_id uuid NOT NULL REFERENCES showcase.videos ON DELETE CASCADE,
      user_id integer NOT NULL REFERENCES showcase.users ON DELETE CASCADE,
      voted_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (video_id, user_id)
    );
  `.execute(db);
}
