/** Errors as the Docker Engine answers them: an HTTP status and `{"message": …}`. */
export class DockerError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const noSuchContainer = (ref: string) => new DockerError(404, `No such container: ${ref}`);
export const noSuchImage = (ref: string) => new DockerError(404, `No such image: ${ref}`);
export const noSuchNetwork = (ref: string) => new DockerError(404, `network ${ref} not found`);
export const noSuchExec = (ref: string) => new DockerError(404, `No such exec instance: ${ref}`);
export const notRunning = (id: string) => new DockerError(409, `Container ${id} is not running`);
export const badParameter = (message: string) => new DockerError(400, message);
