import type { AnchorHTMLAttributes, MouseEvent } from 'react';
import { BASE, navigate, useRoute } from '../router.ts';

/** An in-app link: a real anchor (middle-click, copy link work), navigated without a reload. */
export function Link({ to, children, className, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const route = useRoute();
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    rest.onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
    window.scrollTo(0, 0);
  };
  const current = route === to;
  return (
    <a href={BASE + (to || '/')} aria-current={current ? 'page' : undefined} className={className} {...rest} onClick={onClick}>
      {children}
    </a>
  );
}
