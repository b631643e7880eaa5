export function App() {
  return (
    <main>
      <h1>Tube</h1>
    </main>
  );
}
