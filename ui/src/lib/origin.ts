// Where the officer last acted: the card (its data-testid) of the last element clicked or typed into. A page whose
// cards share one Action shows that action's notice and failure there, not at the page's top, out of view.

let last: Element | null = null;

/** Starts listening (once, from main.ts): capture phase, so no card can stop it. */
export function trackOrigin(doc: Document = document) {
  const note = (e: Event) => {
    if (e.target instanceof Element) last = e.target;
  };
  doc.addEventListener("pointerdown", note, true);
  doc.addEventListener("keydown", note, true);
  doc.addEventListener("focusin", note, true);
}

/** The card the officer is acting in now (null: none, or outside any card). */
export function originCard(): string | null {
  const card = last?.closest<HTMLElement>("section.card[data-testid]");
  return card?.isConnected ? (card.dataset.testid ?? null) : null;
}

/**
 * A Svelte action: the element (a notice, an error) moves into the card `card` names, at its end, comes into view
 * and takes the focus, so what a button did is said beside it. Without a card it stays where the page drew it.
 */
export function into(node: HTMLElement, card: string | null) {
  const place = (name: string | null) => {
    const target = name ? document.querySelector<HTMLElement>(`section.card[data-testid="${name}"]`) : null;
    if (target && node.parentElement !== target) target.append(node);
    node.setAttribute("tabindex", "-1");
    node.scrollIntoView({ block: "nearest" });
    node.focus({ preventScroll: true });
  };
  place(card);
  return {
    update: place,
    // Svelte removes the node wherever it is; nothing else to undo.
  };
}
