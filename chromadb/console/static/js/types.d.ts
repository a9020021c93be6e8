// Globals the console adds for people (and browser tests) poking at it from the dev tools.
interface Window {
  chromaConsole?: { map: import("./map.js").MapView };
}
