// Vite's `?raw` suffix imports a file's text; the observability tests read the dashboards and rules so.
declare module "*?raw" {
  const text: string;
  export default text;
}
