// What a diagnosis rule reports, before the rules' findings are merged into Diagnosis records.

export interface Finding {
  code: string;
  message: string;
  /** The role whose program is blamed (undefined when the finding is about no single program). */
  role?: string;
  /** Indexes of the failed steps this finding explains (so a vaguer rule does not repeat them). */
  steps: number[];
}
