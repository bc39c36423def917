export interface Migration {
  version: number;
  name: string;
  /** SQL run in one transaction together with the `user_version` bump. */
  up: string;
}
