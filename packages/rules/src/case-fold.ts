/**
 * The case folding of every `equals-ignore-case` test: both sides lower-cased with JavaScript's
 * locale-independent `toLowerCase`. event-ruler instead lets each pattern character match its
 * lower- or upper-case form; the two agree on ASCII and on letters whose case forms are
 * one-to-one, and may differ on the few that are not (ß, the Kelvin sign, dotted and dotless i).
 */
export function foldCase(text: string): string {
  // One event offers the same value to every state that tests its field: fold it once.
  if (text !== lastText) {
    lastText = text;
    lastFolded = text.toLowerCase();
  }
  return lastFolded;
}

let lastText = '';
let lastFolded = '';
