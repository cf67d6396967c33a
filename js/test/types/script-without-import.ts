// Must NOT type-check, compiled together with ok.ts (a project that imports the ES module): the
// ES module defines no globals, so a script that uses them without opting in to
// game-session/global is wrong. test/types.test.mjs checks each marked line.
void startSession("token"); // expect TS2304
void endSession(); // expect TS2552
void GameSession.ready; // expect TS2304
