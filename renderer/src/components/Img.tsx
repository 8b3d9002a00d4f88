import { useState } from 'react';

/**
 * A cached image, or a quiet placeholder while it has none or when it fails to load (a broken
 * image icon never shows). `src` is always a bridge URL (cache by hash), never a provider URL.
 * Loading needs no React state: the placeholder colour shows until the image paints, so a
 * scrolling grid re-renders nothing when its images arrive.
 */
export function Img({
  src,
  alt,
  className,
  label,
  fit = 'cover',
  lazy = true,
}: {
  src: string | null;
  alt: string;
  className?: string;
  /** Text on the placeholder (e.g. the title when a poster is missing). */
  label?: string | undefined;
  fit?: 'cover' | 'contain';
  /** Off in virtualized grids: only cells in view exist there anyway. */
  lazy?: boolean;
}) {
  const [failed, setFailed] = useState<string | null>(null);
  const broken = src === null || failed === src;
  return (
    <div className={`img ${className ?? ''} ${broken ? 'img-missing' : ''}`} data-fit={fit}>
      {!broken && (
        <img
          src={src}
          alt={alt}
          loading={lazy ? 'lazy' : 'eager'}
          decoding="async"
          draggable={false}
          onError={() => setFailed(src)}
        />
      )}
      {broken && (
        <div
          className="img-placeholder"
          role="img"
          aria-label={src === null ? `${alt}: none` : `${alt}: could not be loaded`}
        >
          <svg viewBox="0 0 24 24" aria-hidden="true" width="28" height="28">
            <path
              fill="currentColor"
              d="M5 4h14a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2Zm0 2v9.6l3.3-3.3a1 1 0 0 1 1.4 0l2.8 2.8 1.8-1.8a1 1 0 0 1 1.4 0L19 16.6V6H5Zm10 3.5a1.5 1.5 0 1 1-3 0 1.5 1.5 0 0 1 3 0Z"
            />
          </svg>
          {label && <span>{label}</span>}
        </div>
      )}
    </div>
  );
}
