import { expect } from 'chai';

// The table-driven form of "this request is refused", shared by the tests of the head parser all
// programs use and of the web server's reading of its target.

export type RefusalCase<Code extends string> = [what: string, request: string, code: Code];

/** One test per case: the request is refused with 400, the case's error code and a message. */
export function itRefusesEach<Code extends string>(cases: ReadonlyArray<RefusalCase<Code>>, refusal: (request: string) => { code: Code; status: number; message: string }): void {
  for (const [what, request, code] of cases) {
    it(`refuses ${what}`, () => {
      const error = refusal(request);
      expect(error.code).to.equal(code);
      expect(error.status).to.equal(400);
      expect(error.message).to.be.a('string').and.not.equal('');
    });
  }
}
