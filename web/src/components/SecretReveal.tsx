import { CopyButton } from './CopyButton.tsx';

/** The one time a secret is shown: with a copy button and a plain warning. */
export function SecretReveal({ secret, what = 'this key' }: { secret: string; what?: string }) {
  return (
    <div>
      <div className="notice notice-warning" role="alert">
        Copy the secret of {what} now. It is shown only this once: the gateway keeps only a hash and cannot show it again.
      </div>
      <div className="secret">
        <output aria-label="Secret" className="mono">
          {secret}
        </output>
        <CopyButton text={secret} label="Copy secret" className="btn btn-primary" />
      </div>
    </div>
  );
}
